using Attune.Engine.Options;
using Microsoft.Extensions.Options;

namespace Attune.Server.Hosting;

/// <summary>Runs <see cref="AttuneOptions.Validate"/> at start-up, so a bad setting stops the server with every problem listed.</summary>
public sealed class AttuneOptionsValidation : IValidateOptions<AttuneOptions>
{
    public ValidateOptionsResult Validate(string? name, AttuneOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
