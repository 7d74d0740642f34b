using System.Text;
using System.Text.Json.Nodes;
using Onward.Core.Kubernetes;

namespace Onward.Core.Tests.Kubernetes;

/// <summary>Issue 22.1: what Onward keeps of secret values, and how it tells and puts back a changed one.</summary>
public class SecretValuesTests
{
    private static readonly IReadOnlyList<SecretKind> Kinds = SecretKind.With([new SecretKind("db.example.com", "Credentials", ["spec.password", "spec.users"])]);

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static JsonObject Secret(string password, string? token = null) => JsonNode.Parse($$"""
        {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"type":"Opaque","data":{"password":"{{Base64(password)}}"}{{(token is null ? "" : $$""","stringData":{"token":"{{token}}"}""")}}}
        """)!.AsObject();

    [Fact]
    public void A_masked_secret_keeps_its_shape_and_a_salted_digest_per_key_never_the_value()
    {
        var (masked, digests) = SecretValues.Mask(Secret("hunter22", "tok-1234"), Kinds, "salt");

        masked.ToJsonString().ShouldBe("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"type":"Opaque","data":{"password":"***"},"stringData":{"token":"***"}}""");
        digests!.Digests.Keys.ShouldBe(["data.password", "data.token"], ignoreOrder: true);
        digests.Digests["data.password"].ShouldBe(SecretValues.Digest("salt", Encoding.UTF8.GetBytes("hunter22")));
        digests.Digests.Values.ShouldNotContain(v => v.Contains("hunter22", StringComparison.Ordinal));
        SecretValues.Mask(Secret("hunter22"), Kinds, "other").Digests!.Digests["data.password"].ShouldNotBe(digests.Digests["data.password"], "the salt differs");
    }

    [Fact]
    public void String_data_applied_is_compared_with_the_data_the_api_server_keeps()
    {
        var (_, digests) = SecretValues.Mask(Secret("hunter22", "tok-1234"), Kinds, "salt");
        var live = Secret("hunter22");
        live["data"]!["token"] = Base64("tok-1234");

        SecretValues.Drift("Secret/db in shop", digests!, live).ShouldBeEmpty();
    }

    [Fact]
    public void A_changed_or_removed_value_is_told_by_its_key_with_the_live_digest_kept_for_the_next_look()
    {
        var (_, digests) = SecretValues.Mask(Secret("hunter22", "tok-1234"), Kinds, "salt");
        var live = Secret("changed!");

        var differences = SecretValues.Drift("Secret/db in shop", digests!, live);

        differences.Select(d => d.ToString()).ShouldBe([
            "Secret/db in shop: data.password changed (a secret value, not shown)",
            "Secret/db in shop: data.token is unset (a secret value, not shown)"]);
        differences[0].Applied.ShouldBe("***");
        differences[0].Live.ShouldBe("***");
        differences[0].LiveDigest.ShouldBe(SecretValues.Digest("salt", Encoding.UTF8.GetBytes("changed!")));
        SecretValues.Drift("Secret/db in shop", digests!, Secret("changed again"))[0].ShouldNotBe(differences[0]);
    }

    [Fact]
    public void Values_are_put_back_only_from_a_source_whose_digest_matches()
    {
        var original = Secret("hunter22", "tok-1234");
        var (masked, digests) = SecretValues.Mask(original, Kinds, "salt");
        var live = Secret("changed!");
        live["data"]!["token"] = Base64("tok-1234");

        var (none, missing) = SecretValues.Fill(masked, digests!, [live]);
        none.ShouldBeNull();
        missing.ShouldBe(["data.password"]);

        var (filled, _) = SecretValues.Fill(masked, digests!, [live, original]);
        filled!["data"]!["password"]!.GetValue<string>().ShouldBe(Base64("hunter22"));
        filled["stringData"]!["token"]!.GetValue<string>().ShouldBe("tok-1234");
    }

    [Fact]
    public void Fields_of_a_kind_marked_secret_are_masked_as_a_whole_or_per_key()
    {
        var credentials = JsonNode.Parse("""
            {"apiVersion":"db.example.com/v1","kind":"Credentials","metadata":{"name":"c"},"spec":{"user":"shop","password":"p4ssw0rd","users":{"a":"aaaa1","b":{"x":1}}}}
            """)!.AsObject();

        var (masked, digests) = SecretValues.Mask(credentials, Kinds, "salt");

        masked["spec"]!.ToJsonString().ShouldBe("""{"user":"shop","password":"***","users":{"a":"***","b":"***"}}""");
        digests!.Digests.Keys.ShouldBe(["spec.password", "spec.users.a", "spec.users.b"], ignoreOrder: true);
        SecretValues.Fill(masked, digests, [credentials]).Filled!.ToJsonString().ShouldBe(credentials.ToJsonString());
        SecretValues.Mask(JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","data":{"a":"b"}}""")!.AsObject(), Kinds, "salt").Digests.ShouldBeNull();
    }

    [Fact]
    public void Known_values_are_masked_in_text_as_written_decoded_in_base64_and_line_by_line()
    {
        var key = "-----BEGIN KEY-----\nMIIBVgIBADANBgkqhkiG9w0BAQ\n-----END KEY-----";
        var secret = Secret("hunter22");
        secret["data"]!["key"] = Base64(key);
        var text = SecretText.Of([secret], Kinds);

        text.Mask($"password=hunter22 as {Base64("hunter22")}; line MIIBVgIBADANBgkqhkiG9w0BAQ; short 123")
            .ShouldBe("password=*** as ***; line ***; short 123");
        new SecretText(["abc"]).Mask("abc").ShouldBe("abc", "values under four characters are not masked");
    }

    [Fact]
    public void What_was_kept_with_an_object_decides_whatever_the_configuration_says_later()
    {
        var credentials = JsonNode.Parse("""
            {"apiVersion":"db.example.com/v1","kind":"Credentials","metadata":{"name":"c"},"spec":{"password":"p4ssw0rd"}}
            """)!.AsObject();
        var (masked, digests) = SecretValues.Mask(credentials, Kinds, "salt");
        var live = (JsonObject)credentials.DeepClone();
        live["spec"]!["password"] = "changed-in-the-cluster";

        // Drift and refilling read the kept entry alone: the kind need not be marked any more.
        SecretValues.Drift("Credentials/c", digests!, live).Single().ToString().ShouldBe("Credentials/c: spec.password changed (a secret value, not shown)");
        SecretValues.Fill(masked, digests!, [live]).Filled.ShouldBeNull("*** is never put back as a value");
        SecretValues.Fill(masked, digests!, [live, credentials]).Filled!["spec"]!["password"]!.GetValue<string>().ShouldBe("p4ssw0rd");
    }

    [Fact]
    public void A_key_in_both_data_and_string_data_is_kept_once_and_put_back_whole()
    {
        var secret = Secret("from-data", "from-string-data");
        secret["data"]!["token"] = Base64("from-data-too");
        var (masked, digests) = SecretValues.Mask(secret, Kinds, "salt");

        masked["data"]!.AsObject().ContainsKey("token").ShouldBeFalse("stringData wins once applied");
        var live = Secret("from-data");
        live["data"]!["token"] = Base64("from-string-data");
        var filled = SecretValues.Fill(masked, digests!, [live]).Filled!;
        filled["stringData"]!["token"]!.GetValue<string>().ShouldBe("from-string-data");
        filled.ToJsonString().ShouldNotContain(SecretValues.Shown);
    }

    [Fact]
    public void Keys_with_dots_are_found_where_they_stand()
    {
        var secret = Secret("x1234");
        secret["data"]!["app.properties"] = Base64("a=b\nsecret=s3cr3t");
        var (masked, digests) = SecretValues.Mask(secret, Kinds, "salt");

        masked["data"]!["app.properties"]!.GetValue<string>().ShouldBe(SecretValues.Shown);
        SecretValues.Fill(masked, digests!, [secret]).Filled!["data"]!["app.properties"]!.GetValue<string>().ShouldBe(Base64("a=b\nsecret=s3cr3t"));
    }
}
