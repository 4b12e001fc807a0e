using Integration.Core.Commerce;
using Integration.Core.Reconciliation;

namespace Integration.Core.Tests.Reconciliation;

public sealed class ReconciliationOptionsTests
{
    [Fact]
    public void Defaults_AreValid_NightlyAndStaggered()
    {
        var options = new ReconciliationOptions();

        Assert.True(new ReconciliationOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(4, ReconciliationKinds.All.Select(k => options.For(k).Schedule).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(0.6, options.BudgetShare);
    }

    [Fact]
    public void BadValues_AreReported_EachNamingItsKey()
    {
        var options = new ReconciliationOptions { BudgetShare = 1.5, LockSeconds = 5 };
        options.Catalog.Schedule = "every night";
        options.Inventory.AdjustmentBatch = 5000;
        options.Inventory.UncountedStock = "zero";
        options.Inventory.OpenOrderHours = 0;

        var result = new ReconciliationOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Reconciliation:BudgetShare ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Reconciliation:LockSeconds ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Reconciliation:Catalog:Schedule ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Reconciliation:Inventory:AdjustmentBatch ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Reconciliation:Inventory:UncountedStock ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Reconciliation:Inventory:OpenOrderHours ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApiBudget_FlowsIntoAsyncCalls_LeavesTheRestOfTheWindow_AndCountsCalls()
    {
        long counted = 0;
        var budget = new ApiBudget(0.6, n => Interlocked.Add(ref counted, n));
        Assert.Null(ApiBudget.Current);

        using (ApiBudget.Enter(budget))
        {
            await Task.Run(async () =>
            {
                await Task.Yield();
                ApiBudget.Current!.CountCall();
            }, TestContext.Current.CancellationToken);
        }

        Assert.Null(ApiBudget.Current);
        Assert.Equal(1, budget.Calls);
        Assert.Equal(1, counted);
        Assert.Equal(0.4, budget.ReserveFor(0.2), 10);  // the budget leaves 40% to everyone else
        Assert.Equal(0.5, budget.ReserveFor(0.5), 10);  // never less than the client's own reserve
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApiBudget(0));
    }
}
