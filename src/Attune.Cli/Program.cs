return await Attune.Cli.AttuneCli.RunAsync(args);
