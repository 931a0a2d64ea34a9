using PerfTests.Harness.Data;
using PerfTests.Harness.Workloads;

namespace PerfTests.Workloads.Tests.Data;

[Trait("Category", "Unit")]
public sealed class PreparationTests
{
    [Fact]
    public void Reviews_follow_keras_load_data_then_pad_sequences()
    {
        var set = new ReviewSet([[5, 19_997, 1], [1, 2, 3, 4, 5, 6]], [1, 0], [[7]], [0]);
        var preparation = new DataPreparation(NumWords: 20_000, SequenceLength: 5);

        var (train, validation) = DataPreparer.Reviews(set, preparation, new Schedule(1));

        // [1] + [rank + 3], ranks + 3 >= num_words → 2; pre-padding with 0, pre-truncation keeps the last words.
        train.Tokens![..5].Should().Equal(0, 1, 8, 2, 4);
        train.Tokens![5..].Should().Equal(5, 6, 7, 8, 9);
        train.Labels.Should().Equal(1, 0);
        validation.Tokens.Should().Equal(0, 0, 0, 1, 10);
    }

    [Fact]
    public void Text_windows_label_the_next_character_and_hold_out_the_tail()
    {
        var corpus = "abcabcabcabcabcabcabcx";
        var preparation = new DataPreparation(SequenceLength: 3, WindowStep: 3, HeldOutFraction: 0.3);

        var (train, validation, alphabet) = DataPreparer.Text(corpus, "corpus.txt", preparation, new Schedule(1));

        alphabet.Should().Be("abcx");
        train.Tokens![..3].Should().Equal(0, 1, 2);
        train.Labels.Should().OnlyContain(l => l == 0);
        validation.Count.Should().BeGreaterThan(0);
        validation.Labels[^1].Should().Be(3, "the last window is followed by the held-out 'x'");
        (train.Count + validation.Count).Should().BeLessThan(7, "windows straddling the boundary belong to neither split");
    }

    [Fact]
    public void Images_are_scaled_to_unit_range_in_place()
    {
        var set = new ImageSet([0, 255, 51, 102], [3, 4], [255, 0], [1], 2, 10);

        var (train, validation) = DataPreparer.Images(set, new InputSpec(InputKind.Features, [2]), new Schedule(1));

        train.Features.Should().Equal(0f, 1f, 0.2f, 0.4f);
        train.Labels.Should().Equal(3, 4);
        validation.Features.Should().Equal(1f, 0f);
    }

    [Fact]
    public void Profile_subsets_are_fixed_and_independent_of_the_run()
    {
        var first = DataPreparer.Pick(1000, 100);
        var second = DataPreparer.Pick(1000, 100);

        first.Should().Equal(second);
        first.Should().OnlyHaveUniqueItems().And.HaveCount(100);
        first.Should().NotEqual(Enumerable.Range(0, 100), "a subset is spread over the whole set");
        DataPreparer.Pick(10, null).Should().Equal(Enumerable.Range(0, 10));
    }
}
