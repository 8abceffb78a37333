namespace AdvRec.Models;

/// <summary>
/// A model that writes itself to a file: a versioned header (format, model name, options) and its parameters, written
/// atomically. Reading a file back needs the training data the model was built from, so it goes through the model's
/// registry entry (<c>ModelDefinition.Load</c>), which builds the model and fills in the stored parameters.
/// </summary>
public interface IPersistentModel
{
    /// <summary>Writes the model to <paramref name="path"/> (under a temporary name, moved into place when complete).</summary>
    void Save(string path);
}
