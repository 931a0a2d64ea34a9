namespace PerfTests.Harness.Backends.Managed;

/// <summary>
/// Weight export and import. Managed parameters are created from the canonical <see cref="WeightSpec"/>s the model walk
/// hands the layers, so they already have the canonical names, shapes and element order: both directions are copies.
/// </summary>
internal static class ManagedWeights
{
    public static ModelWeights Values(IReadOnlyList<Parameter> parameters) => Export(parameters, p => p.Value);

    public static ModelWeights Gradients(IReadOnlyList<Parameter> parameters) => Export(parameters, p => p.Grad);

    public static void Import(IReadOnlyList<Parameter> parameters, ModelWeights weights)
    {
        foreach (var p in parameters)
        {
            var source = weights[p.Name];
            if (!source.Shape.SequenceEqual(p.Shape))
                throw new ArgumentException($"Weight {p.Name}: shape [{string.Join('×', source.Shape)}] does not fit [{string.Join('×', p.Shape)}].");
            source.Values.AsSpan().CopyTo(p.Value);
        }
    }

    private static ModelWeights Export(IReadOnlyList<Parameter> parameters, Func<Parameter, float[]> values) =>
        new(parameters.Select(p => new NamedTensor(p.Name, p.Shape.ToArray(), (float[])values(p).Clone())).ToList());
}
