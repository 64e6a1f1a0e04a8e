// The CLI tests start servers and import real datasets; running them one at a time keeps a shared 2-core machine responsive.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
