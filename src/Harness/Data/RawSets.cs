namespace PerfTests.Harness.Data;

/// <summary>Images as their files hold them: bytes 0–255, channels first, one label per image.</summary>
public sealed record ImageSet(byte[] TrainPixels, int[] TrainLabels, byte[] TestPixels, int[] TestLabels, int ImageSize, int Classes);

/// <summary>Reviews as Keras's imdb.npz holds them: word ranks (1 = most frequent), labels 0/1.</summary>
public sealed record ReviewSet(int[][] Train, int[] TrainLabels, int[][] Test, int[] TestLabels);
