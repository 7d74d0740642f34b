using Onward.Core.Deployments;
using Onward.Core.Sources;

namespace Onward.Core.Tests.Deployments;

public class ForwardOnlyPolicyTests
{
    private const string Current = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string Candidate = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    [Fact]
    public void An_empty_environment_takes_anything() =>
        ForwardOnlyPolicy.Check("prod", null, Candidate, null).ShouldBeNull();

    [Fact]
    public void The_current_commit_may_be_deployed_again() =>
        ForwardOnlyPolicy.Check("prod", Current, Current, null).ShouldBeNull();

    [Fact]
    public void A_descendant_is_a_step_forward() =>
        ForwardOnlyPolicy.Check("prod", Current, Candidate, new Ancestry(AncestryRelation.Descendant, Current)).ShouldBeNull();

    [Fact]
    public void An_ancestor_would_move_backwards() =>
        ForwardOnlyPolicy.Check("prod", Current, Candidate, new Ancestry(AncestryRelation.Ancestor, Candidate))
            .ShouldBe("forward-only: 2222222 is older than prod's current commit 1111111 (it is an ancestor of it), so deploying it would move prod backwards");

    [Fact]
    public void Diverged_histories_name_their_merge_base() =>
        ForwardOnlyPolicy.Check("prod", Current, Candidate, new Ancestry(AncestryRelation.Diverged, "3333333ccccccccccccccccccccccccccccccccc"))!
            .ShouldContain("diverged after 3333333");

    [Fact]
    public void Unrelated_and_unknown_commits_are_refused_too()
    {
        ForwardOnlyPolicy.Check("prod", Current, Candidate, new Ancestry(AncestryRelation.Unrelated, null))!.ShouldContain("share no history");
        ForwardOnlyPolicy.Check("prod", Current, Candidate, new Ancestry(AncestryRelation.Unknown, null))!.ShouldContain("missing");
    }
}
