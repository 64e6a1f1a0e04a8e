using Attune.Core;
using Attune.Engine.Feedback;
using Attune.Storage;

namespace Attune.Engine.Tests.Feedback;

public sealed class EventFeedTests
{
    private sealed class Recorder : IEventObserver
    {
        public List<string> Seen { get; } = [];

        public void OnAppended(IReadOnlyList<Event> stored) => Seen.AddRange(stored.Select(e => e.Id!));
    }

    private sealed class Thrower : IEventObserver
    {
        public void OnAppended(IReadOnlyList<Event> stored) => throw new InvalidOperationException("boom");
    }

    private static Event Ev(string id) => new(id, "u", "i", "view", null, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Publish_leaves_out_the_positions_reported_as_duplicates()
    {
        var recorder = new Recorder();
        var feed = new EventFeed([recorder]);

        feed.Publish([Ev("a"), Ev("b"), Ev("c"), Ev("d")], new AppendResult(2, 2) { DuplicateIndices = [0, 2] });

        Assert.Equal(["b", "d"], recorder.Seen);
    }

    [Fact]
    public void Publish_of_a_batch_with_nothing_stored_calls_no_observer()
    {
        var recorder = new Recorder();
        var feed = new EventFeed([recorder]);

        feed.Publish([Ev("a")], new AppendResult(0, 1) { DuplicateIndices = [0] });

        Assert.Empty(recorder.Seen);
    }

    [Fact]
    public void A_failing_observer_is_reported_and_the_others_still_run()
    {
        var recorder = new Recorder();
        var errors = new List<Exception>();
        var feed = new EventFeed([new Thrower(), recorder], (_, ex) => errors.Add(ex));

        feed.Publish([Ev("a")], new AppendResult(1, 0));

        Assert.Single(errors);
        Assert.Equal(["a"], recorder.Seen);
    }

    [Fact]
    public void Stored_without_duplicate_positions_refuses()
    {
        Assert.Throws<ArgumentException>(() => EventFeed.Stored([Ev("a"), Ev("b")], new AppendResult(1, 1)));
    }
}
