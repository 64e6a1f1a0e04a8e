using Attune.Engine.Feedback;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Attune.Server.Hosting;

public static class EventObserverRegistration
{
    /// <summary>
    /// Registers the <see cref="EventObserverQueue"/> that carries stored events from <c>POST /v1/events</c> to every
    /// <see cref="IEventObserver"/> on one background thread. Disposed with the container, which applies every
    /// acknowledged event before the observers are disposed (they were created before it, so they go after it).
    /// </summary>
    public static IServiceCollection AddAttuneEventObserverQueue(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger<EventObserverQueue>();
            return new EventObserverQueue(
                sp.GetRequiredService<EventFeed>(),
                EventObserverQueue.DefaultCapacity,
                ex => log.LogError(ex, "Event observer queue failed on a batch; the events are stored."));
        });
        return services;
    }

    /// <summary>
    /// Read-your-writes over HTTP: every request other than <c>POST /v1/events</c> first waits until the observers have
    /// applied every event acknowledged before it arrived (profiles, real-time recommendations, rewards), so a
    /// <c>GET</c> right after a 202 sees the events, and an erasure cannot be followed by a late update of the erased
    /// user. When the queue keeps up this is two volatile reads.
    /// </summary>
    public static WebApplication UseEventObserverBarrier(this WebApplication app)
    {
        EventObserverQueue? queue = null;
        app.Use((context, next) =>
        {
            queue ??= app.Services.GetRequiredService<EventObserverQueue>();
            var target = queue.Published;
            if (queue.Applied >= target || IsIngestion(context.Request))
            {
                return next(context);
            }

            return WaitThenAsync(queue, target, context, next);
        });
        return app;
    }

    private static bool IsIngestion(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.Equals("/v1/events", StringComparison.OrdinalIgnoreCase);

    private static async Task WaitThenAsync(EventObserverQueue queue, long target, HttpContext context, RequestDelegate next)
    {
        await queue.WaitForAsync(target, context.RequestAborted);
        await next(context);
    }
}
