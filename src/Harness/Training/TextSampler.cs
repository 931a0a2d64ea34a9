using System.Text;
using PerfTests.Harness.Backends;
using PerfTests.Harness.Data;
using PerfTests.Harness.Workloads;

namespace PerfTests.Harness.Training;

/// <summary>The Keras example's epilogue: seed with a window of the corpus, then sample characters at a temperature.</summary>
public static class TextSampler
{
    public static string Sample(ITrainingSession session, WorkloadSpec workload, WorkloadData data, string alphabet,
        int length, double temperature, int seed)
    {
        var random = new Random(seed);
        int window = workload.Input.Shape[0];
        var split = data.Validation.Count > 0 ? data.Validation : data.Train;
        var context = split.Tokens.AsSpan(random.Next(split.Count) * window, window).ToArray();
        var batch = new Batch(workload.Input, 1);
        var text = new StringBuilder(length);
        var weights = new double[alphabet.Length];
        for (int i = 0; i < length; i++)
        {
            context.CopyTo(batch.Tokens!, 0);
            batch.Count = 1;
            var probabilities = session.Predict(batch);
            int next = Draw(probabilities, temperature, random, weights);
            text.Append(alphabet[next]);
            Array.Copy(context, 1, context, 0, window - 1);
            context[^1] = next;
        }
        return text.ToString();
    }

    /// <summary>Keras's sample(): p ∝ exp(log(p) / temperature), then one multinomial draw.</summary>
    internal static int Draw(ReadOnlySpan<float> probabilities, double temperature, Random random, double[] weights)
    {
        double total = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = Math.Exp(Math.Log(Math.Max(probabilities[i], 1e-12)) / temperature);
            total += weights[i];
        }
        double r = random.NextDouble() * total;
        for (int i = 0; i < weights.Length; i++)
        {
            r -= weights[i];
            if (r <= 0) return i;
        }
        return weights.Length - 1;
    }
}
