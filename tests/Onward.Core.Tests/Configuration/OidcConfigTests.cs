using Onward.Core.Access;
using Onward.Core.Configuration;

namespace Onward.Core.Tests.Configuration;

/// <summary>Issue 26: <c>auth.oidc</c> read and checked, and a person's roles resolved from their groups.</summary>
public class OidcConfigTests
{
    private static string Yaml(string oidc, string server = "publicUrl: https://onward.example.com") => $$"""
        server:
          listen: http://127.0.0.1:8080
          database: sqlite:onward.db
          dataDir: .onward
          {{server}}
        environments:
          dev: { target: { local: {} } }
          prod: { target: { local: {} } }
        services:
          shop:
            repository: ./shop
            build: { command: { run: "make {artifact}" } }
            deploy: { local: { command: "{artifact}/shop", healthUrl: "http://127.0.0.1:{port}/healthz" } }
        auth:
          mode: tokens
          oidc:
        {{string.Join("\n", oidc.Split('\n').Select(l => "    " + l))}}
        """;

    private const string Complete = """
        name: Acme SSO
        issuer: https://login.acme.example/realms/eng
        clientId: onward
        clientSecret: ${ONWARD_OIDC_SECRET}
        scopes: [profile, email, groups]
        groupsClaim: realm_access.roles
        sessionLifetime: 4h
        roles:
          admin: [platform]
          approver: [release-managers, sre]
          deployer: [developers, { group: shop-team, services: [shop], environments: [dev] }]
          viewer: ["*"]
        """;

    private static ConfigLoadResult Parse(string yaml) =>
        ConfigParser.Parse(yaml, "onward.yaml", "/srv/onward", name => name == "ONWARD_OIDC_SECRET" ? "s3cret" : null);

    [Fact]
    public void A_complete_section_is_read_with_its_defaults()
    {
        var result = Parse(Yaml(Complete));

        result.Problems.ShouldBeEmpty();
        var oidc = result.Config!.Auth.Oidc.ShouldNotBeNull();
        oidc.Issuer.OriginalString.ShouldBe("https://login.acme.example/realms/eng");
        oidc.ClientSecret.ShouldBe("s3cret");
        oidc.Scopes.ShouldBe(["openid", "profile", "email", "groups"], "openid is always asked for");
        oidc.GroupsClaim.ShouldBe("realm_access.roles");
        oidc.UsernameClaim.ShouldBeNull();
        oidc.Audience.ShouldBe("onward", "the client id by default");
        oidc.SessionLifetime.ShouldBe(TimeSpan.FromHours(4));
        oidc.Roles.ShouldContain(new RoleRule(Role.Viewer, "*"));
        oidc.Roles.Single(r => r.Group == "shop-team").ShouldSatisfyAllConditions(
            r => r.Role.ShouldBe(Role.Deployer), r => r.Services.ShouldBe(["shop"]), r => r.Environments.ShouldBe(["dev"]));
    }

    [Fact]
    public void What_cannot_work_is_said_where_it_is_written()
    {
        var problems = string.Join("\n", Parse(Yaml("""
            name: Acme SSO
            issuer: http://login.acme.example
            clientId: onward
            roles:
              owner: [platform]
              deployer: [{ group: web-team, services: [web] }, { group: lonely }]
            """, server: "")).Problems.Select(p => p.ToString()));

        problems.ShouldContain("auth.oidc.clientSecret: missing `clientSecret`");
        problems.ShouldContain("auth.oidc.issuer: an issuer over plain http is accepted only on a loopback address");
        problems.ShouldContain("auth.oidc: signing in with a provider needs `server.publicUrl`");
        problems.ShouldContain("auth.oidc.roles.owner: unknown role 'owner'");
        problems.ShouldContain("a team's entry names `services` or `environments`");

        Parse(Yaml(Complete.Replace("services: [shop]", "services: [shop, web]", StringComparison.Ordinal))).Problems.Select(p => p.ToString())
            .ShouldContain(p => p.Contains("auth.oidc.roles: the entry for group 'shop-team' names service 'web', which onward.yaml does not define", StringComparison.Ordinal));
    }

    [Fact]
    public void A_persons_groups_give_the_highest_role_everywhere_and_team_roles_above_it()
    {
        var oidc = Parse(Yaml(Complete)).Config!.Auth.Oidc!;

        PersonRoles.Resolve(oidc, ["developers", "sre"]).ShouldSatisfyAllConditions(r => r.Role.ShouldBe(Role.Approver), r => r.Teams.ShouldBeEmpty(), r => r.Refusal.ShouldBeNull());
        var team = PersonRoles.Resolve(oidc, ["shop-team"]);
        team.Role.ShouldBe(Role.Viewer, "\"*\" makes everyone a viewer");
        team.Teams.Single().Group.ShouldBe("shop-team");
        var who = new Identity("sam", team.Role, ["shop-team"]) { Teams = team.Teams };
        who.MayOn(Role.Deployer, "shop", "dev").ShouldBeTrue();
        who.MayOn(Role.Deployer, "shop", "prod").ShouldBeFalse();
        who.MayAnywhere(Role.Deployer).ShouldBeTrue();
        who.May(Role.Deployer).ShouldBeFalse();
        who.WhyNotOn(Role.Deployer, "shop", "prod").ShouldBe("sam is deployer only for services shop environments dev (group shop-team), not for shop in prod");

        var strict = oidc with { Roles = oidc.Roles.Where(r => r.Group != RoleRule.Anyone).ToList() };
        PersonRoles.Resolve(strict, ["marketing"]).Refusal.ShouldBe("the provider says this person is in the groups marketing, and auth.oidc.roles gives none of them a role");
        PersonRoles.Resolve(strict, []).Refusal.ShouldBe("the provider says this person is in no groups, and auth.oidc.roles gives none of them a role");
    }
}
