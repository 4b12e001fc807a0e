namespace Integration.Core.Processing;

/// <param name="Outcome">The decision.</param>
/// <param name="Reason">Why, for every outcome but <see cref="ProcessingOutcome.Applied"/>.</param>
/// <param name="TargetId">The target's id for the resource, when known.</param>
public sealed record ProcessingResult(ProcessingOutcome Outcome, string? Reason = null, string? TargetId = null);
