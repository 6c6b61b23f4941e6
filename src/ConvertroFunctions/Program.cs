using ConvertroFunctions;
using ConvertroFunctions.Core;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// The isolated worker: ASP.NET Core integration for the HTTP functions, each behind the guard its
// table entry names (GuardMiddleware), then the app's services (AppServices, shared with the tests).
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<GuardMiddleware>();
builder.Configuration.AddConvertroLoggingDefaults();
builder.Services.AddConvertroFunctionsApp(builder.Configuration);

builder.Build().Run();
