using AdvRec.Data;

namespace AdvRec.Tests.Data;

/// <summary>Loads the shared real data sets and checks the counts their READMEs document.</summary>
public sealed class RealDataTests
{
    private static readonly ReadOptions Adjacency = new() { Format = DataFormat.Adjacency };

    [RealDataFact("movielens-500/trainingset.tsv", "movielens-500/testset.tsv")]
    public void MovieLens500FixedSplit()
    {
        var d = DatasetLoader.LoadFixed(SharedData.Path("movielens-500", "trainingset.tsv"), SharedData.Path("movielens-500", "testset.tsv"));
        Assert.Equal("movielens-500", d.Name);
        // README: train 73,371 rows, 500 users, 3,168 items; test 500 rows of which 4 have items never in train.
        Assert.Equal(500, d.Users.Count);
        Assert.Equal(3168, d.Items.Count);
        var r = d.Report;
        Assert.Equal(73371, r.TrainRows);
        Assert.Equal(500, r.TrainUsers);
        Assert.Equal(3168, r.TrainItems);
        Assert.Equal(496, r.TestRows);
        Assert.Equal(496, r.TestUsers);
        Assert.Equal(4, r.TestRowsDroppedUnseenItem);
        Assert.Equal(0, r.TestRowsDroppedUnseenUser);
        Assert.Equal(0, r.DuplicatesMerged);
        Assert.Equal(0, r.TestPairsAlsoInTrain);
        Assert.True(d.Train.HasRatings && d.Train.HasTimestamps);
        // Rating distribution of the README: 4s are 25,653 of the training rows.
        Assert.Equal(25653, Enumerable.Range(0, d.Users.Count).Sum(u => d.Train.RatingsOf(u).ToArray().Count(x => x == 4f)));
        // First test row: user 0, item 25, rating 5, at 978824351 (the user's latest interaction).
        int u0 = d.Users.TryGetIndex("0", out int x0) ? x0 : -1;
        Assert.True(d.Test.Contains(u0, d.Items.TryGetIndex("25", out int i25) ? i25 : -1));
        Assert.Equal(978824351L, d.Test.TimestampsOf(u0)[0]);
        Assert.True(d.Train.TimestampsOf(u0).ToArray().Max() <= 978824351L);
    }

    [RealDataFact("movielens-500/trainingset.tsv")]
    public void MovieLens500BinarisedAtFour()
    {
        var d = DatasetLoader.LoadFixed(SharedData.Path("movielens-500", "trainingset.tsv"), SharedData.Path("movielens-500", "testset.tsv"),
            options: new ReadOptions { BinarizeThreshold = 4 });
        // README rating counts: 1: 3,852, 2: 7,552, 3: 18,743 are removed; 4: 25,653 + 5: 17,571 stay.
        Assert.Equal(3852 + 7552 + 18743, d.Report.RowsRemovedByBinarization);
        Assert.Equal(25653 + 17571, d.Train.Count);
        Assert.False(d.Train.HasRatings);
        Assert.True(d.Test.HasRatings);
    }

    [RealDataFact("ml-1m-implicit-lightgcnpp/train.txt.gz", "ml-1m-implicit-lightgcnpp/valid.txt.gz", "ml-1m-implicit-lightgcnpp/test.txt.gz")]
    public void Ml1mImplicitAdjacencyGzip()
    {
        string folder = "ml-1m-implicit-lightgcnpp";
        var log = InteractionReader.Read(SharedData.Path(folder, "train.txt.gz"), Adjacency);
        // README: train 6,039 users (lines), 590,733 pairs, 3,583 distinct items.
        Assert.Equal(590733, log.Count);
        Assert.Equal(6039, log.Users.Count);
        Assert.Equal(3583, log.Items.Count);

        var d = DatasetLoader.LoadFixed(SharedData.Path(folder, "train.txt.gz"), SharedData.Path(folder, "test.txt.gz"),
            SharedData.Path(folder, "valid.txt.gz"), Adjacency);
        Assert.Equal(6039, d.Users.Count);
        Assert.Equal(3583, d.Items.Count);
        Assert.Equal(590733, d.Train.Count);
        Assert.False(d.Train.HasRatings);
        // Held-out rows (README: valid 80,897, test 164,848) minus those whose item never occurs in train.
        var r = d.Report;
        Assert.Equal(164848, r.TestRows + r.TestRowsDroppedUnseenItem + r.TestRowsDroppedUnseenUser);
        Assert.Equal(80897, r.ValidationRows + r.ValidationRowsDroppedUnseenItem + r.ValidationRowsDroppedUnseenUser);
        Assert.Equal(34, r.TestRowsDroppedUnseenItem);
        Assert.Equal(19, r.ValidationRowsDroppedUnseenItem);
        Assert.Equal(0, r.TestRowsDroppedUnseenUser);
        Assert.Equal(0, r.TestPairsAlsoInTrain); // README: no duplicates across files
        Assert.Equal(0, r.DuplicatesMerged);
        Assert.Equal(6038, r.TestUsers);
        Assert.Equal(6033, r.ValidationUsers);
    }

    [RealDataFact("gowalla/train.txt.gz", "gowalla/test.txt")]
    public void GowallaAdjacency()
    {
        var d = DatasetLoader.LoadFixed(SharedData.Path("gowalla", "train.txt.gz"), SharedData.Path("gowalla", "test.txt"), options: Adjacency);
        // README: 29,858 users, 40,981 items, 810,128 train + 217,242 test pairs, no shared pair.
        Assert.Equal(29858, d.Users.Count);
        Assert.Equal(40981, d.Items.Count);
        Assert.Equal(810128, d.Train.Count);
        Assert.Equal(217242, d.Test.Count);
        Assert.Equal(29858, d.Report.TestUsers);
        Assert.Equal(0, d.Report.TestPairsAlsoInTrain);
        // Original ids are kept: user "0"'s first training item in the file is "0".
        Assert.Equal("0", d.Users[0]);
        Assert.True(d.Train.Contains(0, d.Items.TryGetIndex("0", out int i0) ? i0 : -1));
        for (int u = 0; u < d.Users.Count; u++) Assert.InRange(d.Train.DegreeOf(u), 8, 811);
    }

    [RealDataFact("ml-100k/u.data")]
    public void Ml100kLeaveOneOutByTime()
    {
        var d = DatasetLoader.LoadAndSplit(SharedData.Path("ml-100k", "u.data"), Splitter.LeaveOneOut(), null, 42);
        Assert.Equal("ml-100k", d.Name);
        // README: 100,000 ratings, 943 users, 1,682 items; every user has at least 20 ratings.
        Assert.Equal(943, d.Users.Count);
        var r = d.Report;
        Assert.Equal(100000 - 943, r.TrainRows);
        Assert.Equal(943, r.TestRows + r.TestRowsDroppedUnseenItem);
        Assert.Equal(0, r.UsersOnlyInTrain);
        for (int u = 0; u < d.Users.Count; u++)
        {
            var test = d.Test.TimestampsOf(u);
            if (test.Length == 1) Assert.True(d.Train.TimestampsOf(u).ToArray().Max() <= test[0]);
        }
    }

    [RealDataFact("ml-100k/u1.base.gz", "ml-100k/u1.test.gz")]
    public void Ml100kFold1GzipTsv()
    {
        var d = DatasetLoader.LoadFixed(SharedData.Path("ml-100k", "u1.base.gz"), SharedData.Path("ml-100k", "u1.test.gz"));
        // README: each base has 80,000 rows and each test 20,000.
        Assert.Equal(80000, d.Train.Count);
        Assert.Equal(20000, d.Report.TestRows + d.Report.TestRowsDroppedUnseenItem + d.Report.TestRowsDroppedUnseenUser);
    }

    [RealDataFact("sisinflab-loo-splits/lastfm/trainingset.tsv.gz", "sisinflab-loo-splits/lastfm/testset.tsv")]
    public void LastFmCountsTestUsersMissingFromTraining()
    {
        string folder = Path.Combine("sisinflab-loo-splits", "lastfm");
        var d = DatasetLoader.LoadFixed(SharedData.Path(folder, "trainingset.tsv.gz"), SharedData.Path(folder, "testset.tsv"));
        // README: train 90,942 rows / 1,884 users / 16,451 items; 1,892 test rows; 8 users occur only in test.
        Assert.Equal(90942, d.Train.Count);
        Assert.Equal(1884, d.Users.Count);
        Assert.Equal(16451, d.Items.Count);
        Assert.Equal(8, d.Report.TestRowsDroppedUnseenUser);
        Assert.Equal(1892, d.Report.TestRows + d.Report.TestRowsDroppedUnseenItem + d.Report.TestRowsDroppedUnseenUser);
    }
}
