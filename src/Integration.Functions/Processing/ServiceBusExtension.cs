// The Functions host loads the Service Bus trigger from the WebJobs extension named here. The offline build cannot
// restore it (NU1101), so it is declared only when the deployment workflow builds with -p:DeployBuild=true.
#if SERVICEBUS_EXTENSION
[assembly: Microsoft.Azure.Functions.Worker.Extensions.Abstractions.ExtensionInformation(
    "Microsoft.Azure.WebJobs.Extensions.ServiceBus", "5.16.4")]
#endif
