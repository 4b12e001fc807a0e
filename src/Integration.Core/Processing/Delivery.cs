namespace Integration.Core.Processing;

/// <summary>Delivery facts from the transport.</summary>
/// <param name="Attempt">1 on the first attempt; the transport's message says which attempt this is.</param>
/// <param name="IsLastAttempt">True when a transient failure now must be quarantined rather than retried.</param>
public readonly record struct Delivery(int Attempt, bool IsLastAttempt);
