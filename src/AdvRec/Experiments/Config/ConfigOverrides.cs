namespace AdvRec.Experiments.Config;

/// <summary>
/// Applies <c>--set key=value</c> overrides to a config tree. Keys are dotted paths from the root
/// (<c>experiment.models.BPR-MF.hyperparameters.lr</c>; a key that itself holds dots, such as a model name, is
/// matched whole when it exists); values are YAML flow scalars or sequences (<c>0.01</c>, <c>[10, 50]</c>).
/// Missing mappings along the path are created, so the schema check that follows reports a misspelt key at the
/// override. A path cannot create a new model. Setting <c>hyperparameters.x</c> removes <c>grid.x</c> of the same
/// model and the other way round, so the override wins; a hyperparameter override follows the form of the model's block
/// (under <c>hyperparameters:</c> or beside meta, as Elliot writes it), whichever path names it. Positions of override keys and values name the override
/// (<c>--set key=value</c>) with 1-based columns into its text.
/// </summary>
internal static class ConfigOverrides
{
    public static void Apply(ConfigValue root, IEnumerable<string> overrides, List<ConfigError> errors)
    {
        foreach (string text in overrides)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(overrides));
            Apply(root, text, errors);
        }
    }

    private static void Apply(ConfigValue root, string text, List<ConfigError> errors)
    {
        string file = "--set " + text;
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            errors.Add(new ConfigError(new ConfigPosition(file, 1, 1), "an override must read key=value, such as experiment.random_seed=7"));
            return;
        }
        // segments with their 1-based columns
        var segments = new List<(string Name, int Column)>();
        int start = 0;
        for (int i = 0; i <= eq; i++)
        {
            if (i == eq || text[i] == '.')
            {
                segments.Add((text[start..i].Trim(), start + 1));
                start = i + 1;
            }
        }
        if (segments.Exists(s => s.Name.Length == 0))
        {
            errors.Add(new ConfigError(new ConfigPosition(file, 1, 1), $"empty key segment in '{text[..eq]}'"));
            return;
        }
        var value = YamlTree.Parse(text[(eq + 1)..], file, errors, columnOffset: eq + 1);
        if (value is null) return;
        if (root.Kind != ConfigValueKind.Mapping)
        {
            errors.Add(new ConfigError(new ConfigPosition(file, 1, 1), "the config is not a mapping, so it cannot be overridden"));
            return;
        }

        var chain = new List<(ConfigValue Map, string Key)>();
        var node = root;
        int k = 0;
        while (true)
        {
            // longest run of segments that names an existing key (model names may contain dots)
            int take = 1;
            for (int j = segments.Count - k; j > 1; j--)
            {
                string joined = string.Join('.', segments.Skip(k).Take(j).Select(s => s.Name));
                if (node.Find(joined) is not null)
                {
                    take = j;
                    break;
                }
            }
            string key = string.Join('.', segments.Skip(k).Take(take).Select(s => s.Name));
            var pos = new ConfigPosition(file, 1, segments[k].Column);
            bool last = k + take == segments.Count;
            chain.Add((node, key));
            var existing = node.Find(key);
            if (existing is null && IsModelsMap(chain))
            {
                var names = node.Entries.Select(e => e.Key).ToList();
                errors.Add(new ConfigError(pos, $"no model '{key}' in the config{NearestName.Hint(key, names)}"));
                return;
            }
            if (IsModelsMap(chain) && existing?.Value is { Kind: ConfigValueKind.Mapping } model)
                MatchModelForm(model, segments, k + take);
            if (last)
            {
                node.Set(new ConfigEntry(key, pos, value));
                RemoveSibling(chain);
                return;
            }
            if (existing is null)
            {
                var created = ConfigValue.Mapping([], pos);
                node.Set(new ConfigEntry(key, pos, created));
                node = created;
            }
            else if (existing.Value.Kind == ConfigValueKind.Mapping)
            {
                node = existing.Value;
            }
            else
            {
                string path = string.Join('.', chain.Select(c => c.Key));
                errors.Add(new ConfigError(pos, $"cannot set '{text[..eq]}': '{path}' is {existing.Value.Describe()}, not a mapping"));
                return;
            }
            k += take;
        }
    }

    /// <summary>Whether the last map in <paramref name="chain"/> is experiment.models.</summary>
    private static bool IsModelsMap(List<(ConfigValue Map, string Key)> chain) =>
        chain.Count == 3 && chain[0].Key == "experiment" && chain[1].Key == "models";

    private static readonly string[] ModelBlockKeys = ["meta", "hyperparameters", "grid", "early_stopping"];

    /// <summary>
    /// Writes a hyperparameter override the way the model's block is written: <c>models.M.hyperparameters.x</c> sets the
    /// key beside meta when the block has its hyperparameters there (Elliot's form), and <c>models.M.x</c> sets
    /// <c>hyperparameters.x</c> when the block has a <c>hyperparameters:</c> mapping, so an override never mixes the forms.
    /// <paramref name="rest"/> is the index of the first segment below the model.
    /// </summary>
    private static void MatchModelForm(ConfigValue model, List<(string Name, int Column)> segments, int rest)
    {
        bool nested = model.Find("hyperparameters") is not null;
        bool flat = model.Entries.Any(e => !ModelBlockKeys.Contains(e.Key, StringComparer.Ordinal));
        if (segments.Count == rest + 2 && segments[rest].Name == "hyperparameters" && !nested && flat)
            segments.RemoveAt(rest);
        else if (segments.Count == rest + 1 && !ModelBlockKeys.Contains(segments[rest].Name, StringComparer.Ordinal) && nested)
            segments.Insert(rest, ("hyperparameters", segments[rest].Column));
    }

    /// <summary>
    /// A hyperparameter override removes the same key from the model's grid, and a grid override removes the fixed value
    /// (under hyperparameters or beside meta), so the override wins.
    /// </summary>
    private static void RemoveSibling(List<(ConfigValue Map, string Key)> chain)
    {
        if (chain.Count < 4 || chain.Count > 5 || chain[0].Key != "experiment" || chain[1].Key != "models") return;
        if (chain[2].Map.Find(chain[2].Key)?.Value is not { Kind: ConfigValueKind.Mapping } model) return;
        string key = chain[^1].Key;
        if (chain.Count == 4)
        {
            if (!ModelBlockKeys.Contains(key, StringComparer.Ordinal) && model.Find("grid")?.Value is { Kind: ConfigValueKind.Mapping } g) g.Remove(key);
            return;
        }
        switch (chain[3].Key)
        {
            case "hyperparameters":
                if (model.Find("grid")?.Value is { Kind: ConfigValueKind.Mapping } grid) grid.Remove(key);
                break;
            case "grid":
                if (model.Find("hyperparameters")?.Value is { Kind: ConfigValueKind.Mapping } hyper) hyper.Remove(key);
                if (!ModelBlockKeys.Contains(key, StringComparer.Ordinal)) model.Remove(key);
                break;
        }
    }
}
