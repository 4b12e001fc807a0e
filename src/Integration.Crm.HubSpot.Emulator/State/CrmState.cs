using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Integration.Crm.HubSpot.Emulator.State;

/// <summary>
/// The emulated portal: contacts, companies and deals with their properties, unique values, associations and the
/// deals pipeline. One lock serialises writes, so unique values hold under concurrent calls as at HubSpot.
/// </summary>
public sealed partial class CrmState
{
    /// <summary>HubSpot allows at most 10 unique properties per object type.</summary>
    internal const int MaxUniqueProperties = 10;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _searchLag;
    private readonly Dictionary<CrmObjectType, Table> _tables = [];
    private readonly HashSet<(string FromType, long From, string ToType, long To, int TypeId)> _associations = [];
    private long _nextId = 1001;
    private int _propertiesCreated;

    internal CrmState(TimeProvider time, TimeSpan searchLag)
    {
        _time = time;
        _searchLag = searchLag;
        foreach (var type in CrmObjectType.All)
        {
            _tables[type] = new Table(type);
        }

        var contacts = _tables[CrmObjectType.Contacts];
        contacts.Define(PropertyDefinition.Standard("email") with { HasUniqueValue = true });
        contacts.Define(PropertyDefinition.Standard("firstname"), PropertyDefinition.Standard("lastname"), PropertyDefinition.Standard("phone"),
            PropertyDefinition.Standard("company"), PropertyDefinition.Standard("website"), PropertyDefinition.Standard("hs_additional_emails"),
            PropertyDefinition.Standard("lifecyclestage", "enumeration", "radio", false,
                "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"));
        _tables[CrmObjectType.Companies].Define(PropertyDefinition.Standard("name"), PropertyDefinition.Standard("domain"),
            PropertyDefinition.Standard("phone"), PropertyDefinition.Standard("city"), PropertyDefinition.Standard("country"));
        _tables[CrmObjectType.Deals].Define(PropertyDefinition.Standard("dealname"), PropertyDefinition.Standard("dealstage", "enumeration", "radio"),
            PropertyDefinition.Standard("pipeline", "enumeration", "select"), PropertyDefinition.Standard("amount", "number", "number"),
            PropertyDefinition.Standard("closedate", "datetime", "date"), PropertyDefinition.Standard("deal_currency_code", "enumeration", "select", false,
                "USD", "EUR", "GBP", "CAD", "AUD"), PropertyDefinition.Standard("description", "string", "textarea"));
        foreach (var table in _tables.Values)
        {
            table.Define(PropertyDefinition.Standard("hs_object_id", "number", "number", readOnly: true),
                PropertyDefinition.Standard("createdate", "datetime", "date", readOnly: true),
                PropertyDefinition.Standard(table.Type.ModifiedProperty, "datetime", "date", readOnly: true));
        }
    }

    /// <summary>Properties created through the API (not the standard ones).</summary>
    public int PropertiesCreated => Volatile.Read(ref _propertiesCreated);

    /// <summary>Live (not archived) records of a type: <c>contacts</c>, <c>companies</c> or <c>deals</c>.</summary>
    public int Count(string objectType)
    {
        lock (_lock)
        {
            return _tables[CrmObjectType.Find(objectType)].Objects.Values.Count(o => o.ArchivedAt is null);
        }
    }

    /// <summary>The live records of a type (id and properties), for test assertions.</summary>
    public IReadOnlyList<(string Id, IReadOnlyDictionary<string, string?> Properties)> Records(string objectType)
    {
        lock (_lock)
        {
            return [.. _tables[CrmObjectType.Find(objectType)].Objects.Values.Where(o => o.ArchivedAt is null)
                .Select(o => (o.Id.ToString(CultureInfo.InvariantCulture), (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?>(o.Properties)))];
        }
    }

    /// <summary>The ids associated to a record (any type id), for test assertions.</summary>
    public IReadOnlyList<string> Associated(string fromType, string fromId, string toType)
    {
        var from = CrmObjectType.Find(fromType).Name;
        var to = CrmObjectType.Find(toType).Name;
        var id = long.Parse(fromId, CultureInfo.InvariantCulture);
        lock (_lock)
        {
            return [.. _associations.Where(a => a.FromType == from && a.From == id && a.ToType == to)
                .Select(a => a.To).Distinct().Order().Select(t => t.ToString(CultureInfo.InvariantCulture))];
        }
    }

    internal T Locked<T>(Func<T> action)
    {
        lock (_lock)
        {
            return action();
        }
    }

    internal Table TableOf(CrmObjectType type) => _tables[type];

    internal DateTimeOffset Now => _time.GetUtcNow();

    // ---- objects (callers hold the lock) ----

    internal CrmObject? Resolve(CrmObjectType type, string id, string? idProperty)
    {
        var table = _tables[type];
        if (string.IsNullOrEmpty(idProperty) || idProperty == "hs_object_id")
        {
            return long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric)
                && table.Objects.TryGetValue(numeric, out var found) && found.ArchivedAt is null ? found : null;
        }

        RequireUnique(type, idProperty);
        return table.Unique.TryGetValue((idProperty, Table.Key(idProperty, id)), out var objectId) ? table.Objects[objectId] : null;
    }

    /// <summary>
    /// Refuses an <paramref name="idProperty"/> that does not identify one record: a property that does not exist, or
    /// one without unique values. <paramref name="batchUpdate"/>: batch update refuses <c>email</c> too, which single
    /// reads and updates and batch upsert accept (hubspot-facts.md §3, I9: "Unable to perform update/upsert by
    /// non-unique 0-1 property").
    /// </summary>
    internal void RequireUnique(CrmObjectType type, string idProperty, bool batchUpdate = false)
    {
        if (idProperty == "hs_object_id")
        {
            return;
        }

        var property = _tables[type].Property(idProperty) ?? throw HubSpotApiError.Validation($"Property \"{idProperty}\" does not exist");
        if (!property.HasUniqueValue || (batchUpdate && type == CrmObjectType.Contacts && idProperty == "email"))
        {
            throw HubSpotApiError.Validation($"Unable to perform update/upsert by non-unique {type.TypeId} property: {idProperty}");
        }
    }

    /// <summary>An archived record by id, or by the value its <paramref name="idProperty"/> had when it was archived.</summary>
    internal CrmObject? ResolveArchived(CrmObjectType type, string id, string? idProperty)
    {
        var table = _tables[type];
        if (string.IsNullOrEmpty(idProperty) || idProperty == "hs_object_id")
        {
            return long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric)
                && table.Objects.TryGetValue(numeric, out var found) && found.ArchivedAt is not null ? found : null;
        }

        _ = Resolve(type, id, idProperty); // the same checks of idProperty as for a live record
        return table.Objects.Values.Where(o => o.ArchivedAt is not null && o.Properties.GetValueOrDefault(idProperty) is { } value
            && Table.Key(idProperty, value) == Table.Key(idProperty, id)).MaxBy(o => o.ArchivedAt);
    }

    internal CrmObject Create(CrmObjectType type, JsonObject? properties)
    {
        var table = _tables[type];
        var values = Values(table, properties);
        if (type == CrmObjectType.Contacts && !values.Keys.Any(k => k is "email" or "firstname" or "lastname"))
        {
            throw HubSpotApiError.Validation("A contact needs at least one of email, firstname or lastname.");
        }

        if (type == CrmObjectType.Deals)
        {
            values.TryAdd("pipeline", "default");
            if (string.IsNullOrEmpty(values.GetValueOrDefault("dealstage")))
            {
                throw HubSpotApiError.Validation("Property values were not valid: [{\"isValid\":false,\"message\":\"dealstage is required\",\"error\":\"REQUIRED_PROPERTY\",\"name\":\"dealstage\"}]");
            }
        }

        CheckUnique(table, values, null);
        CheckStage(table, values, null);
        var now = Now;
        var record = new CrmObject(_nextId++, type, now);
        record.Properties["hs_object_id"] = record.Id.ToString(CultureInfo.InvariantCulture);
        record.Properties["createdate"] = Json.Time(now);
        Apply(table, record, values, now);
        table.Objects[record.Id] = record;
        return record;
    }

    internal void Update(CrmObjectType type, CrmObject record, JsonObject? properties)
    {
        var table = _tables[type];
        var values = Values(table, properties);
        CheckUnique(table, values, record);
        CheckStage(table, values, record);
        Apply(table, record, values, Now);
    }

    internal (CrmObject Record, bool IsNew) Upsert(CrmObjectType type, string id, string idProperty, JsonObject? properties)
    {
        var existing = Resolve(type, id, idProperty);
        var body = properties?.DeepClone().AsObject() ?? [];
        body[idProperty] = id;
        if (existing is not null)
        {
            Update(type, existing, body);
            return (existing, false);
        }

        return (Create(type, body), true);
    }

    /// <summary>Takes back a record a refused batch created (never seen by any client): gone, its unique values and associations with it.</summary>
    internal void Remove(CrmObject record)
    {
        var table = _tables[record.Type];
        foreach (var (name, value) in record.Properties)
        {
            if (value is not null && table.Property(name) is { HasUniqueValue: true })
            {
                table.Unique.Remove((name, Table.Key(name, value)));
            }
        }

        table.Objects.Remove(record.Id);
        _associations.RemoveWhere(a => (a.FromType == record.Type.Name && a.From == record.Id) || (a.ToType == record.Type.Name && a.To == record.Id));
    }

    internal void Archive(CrmObject record)
    {
        var table = _tables[record.Type];
        foreach (var (name, value) in record.Properties)
        {
            if (value is not null && table.Property(name) is { HasUniqueValue: true })
            {
                table.Unique.Remove((name, Table.Key(name, value)));
            }
        }

        var now = Now;
        record.ArchivedAt = now;
        record.Written(now, now + _searchLag);
        _associations.RemoveWhere(a => (a.FromType == record.Type.Name && a.From == record.Id) || (a.ToType == record.Type.Name && a.To == record.Id));
    }

    private static Dictionary<string, string?> Values(Table table, JsonObject? properties)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (name, node) in properties ?? [])
        {
            string? value = node?.GetValueKind() switch
            {
                null or JsonValueKind.Null => null,
                JsonValueKind.String => node.GetValue<string>(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => node.ToJsonString(),
                _ => throw HubSpotApiError.Validation($"Property \"{name}\" must be a string, a number, a boolean or null."),
            };
            var definition = table.Property(name);
            if (definition is null)
            {
                problems.Add(Problem(name, $"Property \\\"{name}\\\" does not exist", "PROPERTY_DOESNT_EXIST"));
                continue;
            }

            if (definition.ReadOnlyValue)
            {
                problems.Add(Problem(name, $"{name} is a read only property; its value cannot be set.", "READ_ONLY_VALUE"));
                continue;
            }

            if (name == "email" && value is not null)
            {
                value = value.Trim().ToLowerInvariant();
                // HubSpot refuses an address without a domain with a dot (jane@example) as it does one without an '@',
                // naming the address in the message.
                var at = value.IndexOf('@', StringComparison.Ordinal);
                if (at < 0 || !value[(at + 1)..].Contains('.', StringComparison.Ordinal))
                {
                    problems.Add(Problem(name, $"Email address {value} is invalid", "INVALID_EMAIL"));
                    continue;
                }
            }

            if (definition.Check(value) is { } problem)
            {
                problems.Add(Problem(name, problem, "INVALID_OPTION"));
                continue;
            }

            values[name] = definition.Normalize(value);
        }

        return problems.Count > 0 ? throw HubSpotApiError.Validation($"Property values were not valid: [{string.Join(",", problems)}]") : values;

        static string Problem(string name, string message, string error) =>
            $"{{\"isValid\":false,\"message\":\"{message.Replace("\"", "\\\"", StringComparison.Ordinal)}\",\"error\":\"{error}\",\"name\":\"{name}\"}}";
    }

    private static void CheckUnique(Table table, Dictionary<string, string?> values, CrmObject? self)
    {
        foreach (var (name, value) in values)
        {
            if (value is null || table.Property(name) is not { HasUniqueValue: true })
            {
                continue;
            }

            if (table.Unique.TryGetValue((name, Table.Key(name, value)), out var owner) && owner != self?.Id)
            {
                // HubSpot names the existing record only in the message (hubspot-facts.md §3).
                throw new HubSpotApiError(409, "CONFLICT", $"{table.Type.Singular} already exists. Existing ID: {owner}");
            }
        }
    }

    private static void CheckStage(Table table, Dictionary<string, string?> values, CrmObject? self)
    {
        if (table.Type != CrmObjectType.Deals || (!values.ContainsKey("dealstage") && !values.ContainsKey("pipeline")))
        {
            return;
        }

        var pipelineId = values.GetValueOrDefault("pipeline") ?? self?.Properties.GetValueOrDefault("pipeline") ?? "default";
        var pipeline = Pipelines.Deals.FirstOrDefault(p => p.Id == pipelineId)
            ?? throw HubSpotApiError.Validation($"Property values were not valid: [{{\"isValid\":false,\"message\":\"{pipelineId} was not one of the allowed options\",\"error\":\"INVALID_OPTION\",\"name\":\"pipeline\"}}]");
        var stage = values.GetValueOrDefault("dealstage") ?? self?.Properties.GetValueOrDefault("dealstage");
        if (stage is not null && pipeline.Stages.All(s => s.Id != stage))
        {
            throw HubSpotApiError.Validation($"Property values were not valid: [{{\"isValid\":false,\"message\":\"{stage} was not one of the allowed options\",\"error\":\"INVALID_OPTION\",\"name\":\"dealstage\"}}]");
        }
    }

    private void Apply(Table table, CrmObject record, Dictionary<string, string?> values, DateTimeOffset now)
    {
        foreach (var (name, value) in values)
        {
            if (table.Property(name) is { HasUniqueValue: true })
            {
                if (record.Properties.GetValueOrDefault(name) is { } old)
                {
                    table.Unique.Remove((name, Table.Key(name, old)));
                }

                if (value is not null)
                {
                    table.Unique[(name, Table.Key(name, value))] = record.Id;
                }
            }

            record.Properties[name] = value;
        }

        record.UpdatedAt = now;
        record.Properties[table.Type.ModifiedProperty] = Json.Time(now);
        record.Written(now, now + _searchLag);
    }

    // ---- properties ----

    internal PropertyDefinition CreateProperty(CrmObjectType type, JsonObject body)
    {
        var table = _tables[type];
        var name = body["name"]?.GetValue<string>();
        var label = body["label"]?.GetValue<string>();
        var dataType = body["type"]?.GetValue<string>();
        var fieldType = body["fieldType"]?.GetValue<string>();
        var group = body["groupName"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(label) || string.IsNullOrWhiteSpace(dataType)
            || string.IsNullOrWhiteSpace(fieldType) || string.IsNullOrWhiteSpace(group))
        {
            throw HubSpotApiError.Validation("A property needs name, label, type, fieldType and groupName.");
        }

        if (dataType is not ("string" or "number" or "date" or "datetime" or "enumeration" or "bool" or "phone_number"))
        {
            throw HubSpotApiError.Validation($"Invalid property type: {dataType}");
        }

        if (table.Property(name) is not null)
        {
            throw new HubSpotApiError(409, "OBJECT_ALREADY_EXISTS", $"A property named '{name}' already exists.");
        }

        var unique = body["hasUniqueValue"]?.GetValue<bool>() == true;
        if (unique && table.Properties.Values.Count(p => p.HasUniqueValue && p.GroupName != "hubspot") >= MaxUniqueProperties)
        {
            throw HubSpotApiError.Validation($"An object can have at most {MaxUniqueProperties} unique properties.");
        }

        var options = body["options"] is JsonArray array ? array.Select(o => o?["value"]?.GetValue<string>() ?? string.Empty).ToList() : [];
        var definition = new PropertyDefinition(name, label, dataType, fieldType, group, unique, options, false, Now,
            body["description"]?.GetValue<string>());
        table.Define(definition);
        Interlocked.Increment(ref _propertiesCreated);
        return definition;
    }

    // ---- associations ----

    internal void Associate(CrmObjectType fromType, long from, CrmObjectType toType, long to, int typeId)
    {
        if (!AssociationTypes.TryGet(fromType, toType, typeId, out var inverse, out _))
        {
            throw HubSpotApiError.Validation($"{typeId} is not a valid association type id from {fromType.Name} to {toType.Name}.");
        }

        _associations.Add((fromType.Name, from, toType.Name, to, typeId));
        _associations.Add((toType.Name, to, fromType.Name, from, inverse));
    }

    internal IEnumerable<(long To, int TypeId)> AssociationsOf(CrmObjectType fromType, long from, CrmObjectType toType) =>
        _associations.Where(a => a.FromType == fromType.Name && a.From == from && a.ToType == toType.Name).Select(a => (a.To, a.TypeId));

    internal void Dissociate(CrmObjectType fromType, long from, CrmObjectType toType, long to) =>
        _associations.RemoveWhere(a => (a.FromType == fromType.Name && a.From == from && a.ToType == toType.Name && a.To == to)
            || (a.FromType == toType.Name && a.From == to && a.ToType == fromType.Name && a.To == from));

    internal CrmObject Require(CrmObjectType type, string id) => Resolve(type, id, null) ?? throw HubSpotApiError.NotFound(id);

    internal sealed class Table(CrmObjectType type)
    {
        public CrmObjectType Type { get; } = type;

        public Dictionary<long, CrmObject> Objects { get; } = [];

        public Dictionary<string, PropertyDefinition> Properties { get; } = new(StringComparer.Ordinal);

        /// <summary>(property, value) → record id for every unique property.</summary>
        public Dictionary<(string, string), long> Unique { get; } = [];

        public PropertyDefinition? Property(string name) => Properties.GetValueOrDefault(name);

        public void Define(params PropertyDefinition[] definitions)
        {
            foreach (var definition in definitions)
            {
                Properties[definition.Name] = definition;
            }
        }

        /// <summary>E-mail is unique case-insensitively; other unique values as written.</summary>
        public static string Key(string property, string value) => property == "email" ? value.Trim().ToLowerInvariant() : value;
    }
}
