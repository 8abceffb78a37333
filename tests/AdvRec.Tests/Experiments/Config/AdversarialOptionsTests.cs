using System.Globalization;
using System.Reflection;
using AdvRec.Experiments;
using AdvRec.Experiments.Config;
using AdvRec.Models;
using AdvRec.Models.Factorization;

namespace AdvRec.Tests.Experiments.Config;

/// <summary>
/// AMF and AMR expose every option of their base model (BPR-MF, VBPR): each property of the base options record is
/// reachable from a study's YAML through the adversarial model's schema and arrives in the base model's options. Found
/// by reflection, so an option added to BPR-MF or VBPR fails here until AMF or AMR passes it on.
/// </summary>
public class AdversarialOptionsTests
{
    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic);

    /// <summary>The base options of <paramref name="options"/> (AmfOptions → BprMfOptions, AmrOptions → VbprOptions).</summary>
    private static object BaseOf(object options) => options switch
    {
        AmfOptions amf => amf.ToBprMfOptions(),
        AmrOptions amr => amr.ToVbprOptions(),
        _ => throw new ArgumentException(options.GetType().Name, nameof(options)),
    };

    /// <summary>A valid value of <paramref name="p"/> other than <paramref name="avoid"/>, as YAML text and as the value bound.</summary>
    private static (string Text, object Value) Another(PropertyInfo p, object? avoid)
    {
        var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        object value = type switch
        {
            _ when type == typeof(int) => (int)(avoid ?? 0) + 1,
            _ when type == typeof(ulong) => (ulong)(avoid ?? 0UL) + 1,
            _ when type == typeof(bool) => !(bool)(avoid ?? false),
            // half the value stays in range for every rate, weight, decay and epsilon; 0 becomes 0.25
            _ when type == typeof(float) => avoid is float f && f != 0 ? f / 2 : 0.25f,
            _ when type.IsEnum => Enum.GetValues(type).Cast<object>().First(v => !v.Equals(avoid)),
            _ => throw new NotSupportedException($"{p.DeclaringType!.Name}.{p.Name}: add a value of type {type.Name} to this test"),
        };
        string text = value switch
        {
            float f => f.ToString("R", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            Enum e => ConfigConvert.SnakeCase(e.ToString()),
            IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString()!,
        };
        return (text, value);
    }

    [Theory]
    [InlineData(Amf.ModelName, typeof(BprMfOptions))]
    [InlineData(Amr.ModelName, typeof(VbprOptions))]
    public void EveryOptionOfTheBaseModelIsReachableFromTheAdversarialOne(string model, Type baseType)
    {
        var schema = ModelRegistry.Models[model].Schema;
        var defaults = schema.Defaults;
        var defaultBase = BaseOf(defaults);
        Assert.IsType(baseType, defaultBase);
        var missing = new List<string>();
        Assert.Contains(Settable(baseType), p => p.Name == nameof(BprMfOptions.Beta2)); // the reflection sees init-only properties
        foreach (var p in Settable(baseType))
        {
            // the key of the base option, set through the adversarial model's schema as a study would
            string key = ConfigConvert.SnakeCase(p.Name);
            var (text, value) = Another(p, p.GetValue(defaultBase));
            object bound;
            try
            {
                bound = OptionsBinder.Bind(defaults, new Dictionary<string, ConfigValue> { [key] = ConfigTestSupport.Scalar(text) }, schema.Aliases);
            }
            catch (ConfigException e)
            {
                missing.Add($"{key}: {e.Message}");
                continue;
            }
            object? arrived = p.GetValue(BaseOf(bound));
            if (!Equals(arrived, value)) missing.Add($"{key}: set to {text}, {baseType.Name}.{p.Name} got {arrived}");
        }
        Assert.True(missing.Count == 0, $"{model} does not pass on these {baseType.Name} options:\n" + string.Join("\n", missing));
    }
}
