using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions.App.Tests;

/// <summary>The functions compiled into src/ConvertroFunctions, found by reflection as the Worker SDK finds them.</summary>
public static class FunctionsAssembly
{
    public static Assembly Assembly => typeof(AppServices).Assembly;

    /// <summary>Every method carrying [Function], with its function name.</summary>
    public static IReadOnlyList<(string Name, MethodInfo Method)> Functions { get; } =
    [
        .. Assembly.GetExportedTypes()
            .Where(t => t.IsClass)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Attribute: m.GetCustomAttribute<FunctionAttribute>(), Method: m))
            .Where(f => f.Attribute is not null)
            .Select(f => (f.Attribute!.Name, f.Method))
            .OrderBy(f => f.Name, StringComparer.Ordinal),
    ];

    /// <summary>The public classes that declare a function: the host constructs each from the service provider.</summary>
    public static IReadOnlyList<Type> FunctionClasses { get; } =
        [.. Functions.Select(f => f.Method.DeclaringType!).Distinct().OrderBy(t => t.FullName, StringComparer.Ordinal)];
}
