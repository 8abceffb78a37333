using AdvRec.Data;

namespace AdvRec.Tests.Data;

public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private DataFormatException ReadBad(string name, string content, ReadOptions? options = null)
    {
        string path = _dir.Write(name, content);
        var e = Assert.Throws<DataFormatException>(() => InteractionReader.Read(path, options));
        Assert.Equal(path, e.File);
        Assert.Contains(path, e.Message);
        return e;
    }

    private static void AssertAt(DataFormatException e, int line, params string[] parts)
    {
        Assert.Equal(line, e.Line);
        if (line > 0) Assert.Contains($":{line}: ", e.Message);
        foreach (string part in parts) Assert.Contains(part, e.Message);
    }

    [Fact]
    public void ColumnCountDifferentFromFirstLine()
    {
        var e = ReadBad("a.tsv", "u\ti\t1\nu\ti\t2\nu\ti\t3\t4\t5\n");
        AssertAt(e, 3, "expected 3 columns (user item rating)", "as on line 1", "found 5");
    }

    [Fact]
    public void ColumnCountMismatchCountsFromFirstNonEmptyLine()
    {
        var e = ReadBad("b.csv", "\n\nu,i,1,5\nu,i\n");
        AssertAt(e, 4, "expected 4 columns (user item rating timestamp)", "as on line 3", "found 2");
    }

    [Fact]
    public void TooManyColumnsOnFirstLineSuggestsAdjacency()
    {
        // detected as adjacency without a format; forced delimited, the error says how to choose adjacency
        Assert.Equal(5, InteractionReader.Read(_dir.Write("auto.txt", "0 1 2 3 4 5\n")).Count);
        var e = ReadBad("train.txt", "0 1 2 3 4 5\n", new ReadOptions { Format = DataFormat.Delimited });
        AssertAt(e, 1, "expected 2 to 4 columns (user item [rating [timestamp]])", "found 6", "--format adjacency");
    }

    [Fact]
    public void SingleColumn()
    {
        var e = ReadBad("one.tsv", "justone\n");
        AssertAt(e, 1, "expected 2 to 4 columns (user item [rating [timestamp]])", "found 1");
    }

    [Fact]
    public void NonNumericRatingOnFirstLineHintsAtHeader()
    {
        // detected (and skipped) without a format; forced delimited, a header is an error that says so
        Assert.Equal(1, InteractionReader.Read(_dir.Write("auto.csv", "user,item,rating\n1,2,3\n")).Count);
        var e = ReadBad("header.csv", "user,item,rating\n1,2,3\n", new ReadOptions { Format = DataFormat.Delimited });
        AssertAt(e, 1, "rating (column 3) must be a number", "'rating'", "no header line");
    }

    [Fact]
    public void NonNumericRatingLater()
    {
        var e = ReadBad("r.tsv", "1\t2\t3\n1\t3\tfive\n");
        AssertAt(e, 2, "rating (column 3) must be a number", "'five'");
        Assert.DoesNotContain("header", e.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e39")]
    public void NonFiniteRating(string rating)
    {
        var e = ReadBad("nan.tsv", $"1\t2\t3\n1\t3\t{rating}\n");
        AssertAt(e, 2, "rating (column 3) must be a finite number", $"'{rating}'");
    }

    [Theory]
    [InlineData("978300760.5")]
    [InlineData("1e9")]
    [InlineData("yesterday")]
    [InlineData("99999999999999999999")]
    public void BadTimestamp(string timestamp)
    {
        var e = ReadBad("ts.tsv", $"1\t2\t3\t100\n1\t3\t4\t{timestamp}\n");
        AssertAt(e, 2, "timestamp (column 4) must be an integer", $"'{timestamp}'");
    }

    [Fact]
    public void BadMovieLensTimestamp()
    {
        var e = ReadBad("ratings.dat", "1::2::3::4\n1::2::3::4.0\n");
        AssertAt(e, 2, "timestamp (column 4) must be an integer", "'4.0'");
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n  \n\t\n")]
    public void EmptyFile(string content)
    {
        var e = ReadBad("empty.tsv", content);
        AssertAt(e, 0, "file is empty: expected lines of `user item [rating [timestamp]]`");
        Assert.Equal(e.File + ": " + e.Problem, e.Message);
    }

    [Fact]
    public void EmptyAdjacencyFile()
    {
        var e = ReadBad("train.txt", "", new ReadOptions { Format = DataFormat.Adjacency });
        AssertAt(e, 0, "file is empty: expected lines of `user item item ...`");
    }

    [Fact]
    public void MissingFile()
    {
        string path = Path.Combine(_dir.FullPath, "nope.tsv");
        var e = Assert.Throws<DataFormatException>(() => InteractionReader.Read(path));
        Assert.Equal(0, e.Line);
        Assert.Contains("file not found", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void FolderInsteadOfFile()
    {
        var e = Assert.Throws<DataFormatException>(() => InteractionReader.Read(_dir.FullPath));
        Assert.Contains("folder", e.Message);
    }

    [Fact]
    public void EmptyUserId()
    {
        var e = ReadBad("u.csv", "a,b,1\n ,b,2\n");
        AssertAt(e, 2, "empty user id", "user item rating");
    }

    [Fact]
    public void EmptyItemId()
    {
        var e = ReadBad("i.tsv", "a\tb\na\t\n");
        AssertAt(e, 2, "empty item id", "user item");
    }

    [Fact]
    public void CorruptGzip()
    {
        string path = Path.Combine(_dir.FullPath, "bad.tsv.gz");
        File.WriteAllBytes(path, [0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]);
        var e = Assert.Throws<DataFormatException>(() => InteractionReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void TestSetWithNoOverlapNamesTheTestFile()
    {
        string train = _dir.Write("train.tsv", "a\tx\nb\ty\n");
        string test = _dir.Write("test.tsv", "c\tx\na\tz\nd\tw\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.LoadFixed(train, test));
        Assert.Equal(test, e.File);
        Assert.Equal(0, e.Line);
        Assert.Contains("none of the 3 test rows has a user and an item seen in training", e.Message);
        Assert.Contains("2 have a user without training data", e.Message);
        Assert.Contains("1 an item never in training", e.Message);
    }

    [Fact]
    public void ValidationSetWithNoOverlapNamesTheValidationFile()
    {
        string train = _dir.Write("train.tsv", "a\tx\nb\ty\n");
        string test = _dir.Write("test.tsv", "a\ty\n");
        string validation = _dir.Write("valid.tsv", "a\tq\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.LoadFixed(train, test, validation));
        Assert.Equal(validation, e.File);
        Assert.Contains("none of the 1 validation rows", e.Message);
    }

    [Fact]
    public void LeaveOneOutByTimeWithoutTimestamps()
    {
        string path = _dir.Write("pairs.tsv", "a\tx\t1\na\ty\t1\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.LoadAndSplit(path, Splitter.LeaveOneOut(), null, 1));
        Assert.Equal(path, e.File);
        Assert.Contains("leave-1-out by time needs timestamps", e.Message);
        Assert.Contains("at random", e.Message);
    }

    [Fact]
    public void TemporalHoldOutWithoutTimestamps()
    {
        var log = InteractionReader.Read(new StringReader("0 1 2 3\n"), "adjacency input", new ReadOptions { Format = DataFormat.Adjacency });
        var e = Assert.Throws<DataFormatException>(() => new HoldOutSplitter(0.5, byTime: true).Split(log, 1));
        Assert.Contains("adjacency input", e.Message);
        Assert.Contains("needs timestamps", e.Message);
    }

    [Fact]
    public void SplitWithOnlySingleInteractionUsers()
    {
        var log = InteractionReader.Read(new StringReader("a x 1 5\nb y 1 6\n"), "tiny");
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.FromLog(log, Splitter.LeaveOneOut(), 1));
        Assert.Contains("tiny", e.Message);
        Assert.Contains("left no test rows", e.Message);
    }
}
