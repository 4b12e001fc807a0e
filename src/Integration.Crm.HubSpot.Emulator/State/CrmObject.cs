using System.Text.Json.Nodes;

namespace Integration.Crm.HubSpot.Emulator.State;

/// <summary>One record, with the older snapshot search still sees until the lag has passed.</summary>
internal sealed class CrmObject(long id, CrmObjectType type, DateTimeOffset createdAt)
{
    public long Id { get; } = id;

    public CrmObjectType Type { get; } = type;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset UpdatedAt { get; set; } = createdAt;

    public DateTimeOffset? ArchivedAt { get; set; }

    public Dictionary<string, string?> Properties { get; } = new(StringComparer.Ordinal);

    /// <summary>What search returns now (null: not yet indexed, or archived).</summary>
    public IReadOnlyDictionary<string, string?>? Indexed { get; private set; }

    private IReadOnlyDictionary<string, string?>? _pending;
    private DateTimeOffset _pendingAt;

    /// <summary>Records a write: search sees it from <paramref name="visibleAt"/> on.</summary>
    public void Written(DateTimeOffset now, DateTimeOffset visibleAt)
    {
        Promote(now);
        _pending = ArchivedAt is null ? new Dictionary<string, string?>(Properties, StringComparer.Ordinal) : null;
        _pendingAt = visibleAt;
        if (visibleAt <= now)
        {
            Promote(now);
        }
    }

    public IReadOnlyDictionary<string, string?>? SearchView(DateTimeOffset now)
    {
        Promote(now);
        return Indexed;
    }

    public JsonObject ToJson(IEnumerable<string>? properties = null, bool? isNew = null)
    {
        var props = new JsonObject();
        foreach (var name in properties ?? Properties.Keys)
        {
            props[name] = Properties.GetValueOrDefault(name);
        }

        var json = new JsonObject
        {
            ["id"] = Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["properties"] = props,
            ["createdAt"] = Json.Time(CreatedAt),
            ["updatedAt"] = Json.Time(UpdatedAt),
            ["archived"] = ArchivedAt is not null,
        };
        if (ArchivedAt is { } archivedAt)
        {
            json["archivedAt"] = Json.Time(archivedAt);
        }

        if (isNew is { } value)
        {
            json["new"] = value;
        }

        return json;
    }

    private void Promote(DateTimeOffset now)
    {
        if (_pendingAt <= now && (_pending is not null || ArchivedAt is not null))
        {
            Indexed = _pending;
            _pending = null;
            _pendingAt = DateTimeOffset.MaxValue;
        }
    }
}
