using System.Text.Json.Serialization;
using Attune.Experiments.Assignment;

namespace Attune.Engine.Experiments;

/// <summary>The experiments file format (camelCase, enums as lower-case strings).</summary>
[JsonSourceGenerationOptions(
    System.Text.Json.JsonSerializerDefaults.Web,
    WriteIndented = true,
    UseStringEnumConverter = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(List<ExperimentDefinition>))]
[JsonSerializable(typeof(ExperimentDefinition))]
public sealed partial class ExperimentJsonContext : JsonSerializerContext;
