using Integration.Infrastructure.Tests.Arm;
using Integration.Infrastructure.Tests.Bicep;

namespace Integration.Infrastructure.Tests.Invariants;

/// <summary>Least privilege: the app's identity holds exactly the data roles it uses, each on its own resource.</summary>
public sealed class RoleAssignmentTests(CompiledTemplate compiled)
{
    public static TheoryData<string, string, string> AppRoles => new()
    {
        { "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", "Microsoft.ServiceBus/namespaces", "Azure Service Bus Data Sender" },
        // Receive and the Manage claim the scale decisions need (subscription runtime properties), on the topic only.
        { "090c5cfd-751d-490a-894a-3ce6f1109419", "Microsoft.ServiceBus/namespaces/sb-sample/topics", "Azure Service Bus Data Owner" },
        { "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Microsoft.Storage/storageAccounts", "Storage Table Data Contributor" },
        { "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts", "Storage Blob Data Owner" },
        { "4633458b-17de-408a-b874-0445c86b69e6", "Microsoft.KeyVault/vaults", "Key Vault Secrets User" },
        { "3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components", "Monitoring Metrics Publisher" },
    };

    private List<ArmResource> Assignments(Dictionary<string, object?>? parameters = null) =>
        [.. SampleDeployment.Evaluate(compiled.Template, parameters).AllResources().Where(r => r.Type == "Microsoft.Authorization/roleAssignments")];

    [Theory]
    [MemberData(nameof(AppRoles))]
    public void ManagedIdentity_HoldsTheRole_OnItsResource(string roleId, string scopeType, string roleName)
    {
        var assignment = Assert.Single(Assignments(), a =>
            ((string)a.Properties["roleDefinitionId"]!).EndsWith("/" + roleId, StringComparison.Ordinal)
            && (string?)a.Properties["principalId"] == SampleDeployment.IdentityPrincipalId);

        Assert.Equal("ServicePrincipal", assignment.Properties["principalType"]);
        Assert.Contains("/providers/" + scopeType + "/", (string)assignment.Body["scope"]!, StringComparison.Ordinal);
        Assert.True(Guid.TryParse(assignment.Name, out _), $"{roleName}: the assignment name is not a guid().");
        Assert.Contains("/roleDefinitions/", (string)assignment.Properties["roleDefinitionId"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void ManagedIdentity_HoldsNoOtherRole()
    {
        var appRoles = Assignments().Where(a => (string?)a.Properties["principalId"] == SampleDeployment.IdentityPrincipalId)
            .Select(a => ((string)a.Properties["roleDefinitionId"]!).Split('/')[^1]);

        Assert.Equal(AppRoles.Select(r => (string)r.Data.Item1).Order(), appRoles.Order());
    }

    [Fact]
    public void EveryRoleAssignment_IsCommentedWithItsRoleName()
    {
        var roles = File.ReadAllText(Path.Combine(Path.GetDirectoryName(CompiledTemplate.MainBicep)!, "modules", "roles.bicep"));

        foreach (var (_, _, name) in AppRoles.Select(r => r.Data))
        {
            Assert.Contains("// " + name + ":", roles, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Operator_GetsSecretsOfficerAndReplayAccess_OnlyWhenAPrincipalIsGiven()
    {
        var withOperator = Assignments().Where(a => a.Deployed && (string?)a.Properties["principalId"] == SampleDeployment.OperatorPrincipalId).ToList();
        var without = Assignments(SampleDeployment.Parameters(("principalId", ""))).Where(a => a.Deployed).ToList();

        Assert.Contains(withOperator, a => ((string)a.Properties["roleDefinitionId"]!).EndsWith("/b86a8fe4-44ce-4948-aee5-eccb2c155cd7", StringComparison.Ordinal));
        Assert.Equal(3, withOperator.Count);
        Assert.All(withOperator, a => Assert.Equal("User", a.Properties["principalType"]));
        Assert.Equal(6, without.Count);
    }
}
