using Onward.Integrations.Kubernetes;

namespace Onward.Integrations.Tests.Kubernetes;

/// <summary>Every URL asked of a cluster is built in one place, with names and query values escaped.</summary>
public class ResourceMappingTests
{
    [Fact]
    public void Core_and_group_kinds_have_their_urls_in_a_namespace_and_across_the_cluster()
    {
        ResourceMapping.Pods.CollectionPath("shop").ShouldBe("/api/v1/namespaces/shop/pods");
        ResourceMapping.Namespaces.ObjectPath(null, "shop").ShouldBe("/api/v1/namespaces/shop");
        ResourceMapping.ReplicaSets.CollectionPath(null).ShouldBe("/apis/apps/v1/replicasets");
        ResourceMapping.Definitions.ObjectPath("ignored", "widgets.example.com").ShouldBe("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
    }

    [Fact]
    public void Names_subresources_and_query_values_cannot_change_the_url_asked_for()
    {
        ResourceMapping.Pods.ObjectPath("shop", "web-1", "log", ("container", "app&tailLines=999999"), ("tailLines", "40"))
            .ShouldBe("/api/v1/namespaces/shop/pods/web-1/log?container=app%26tailLines%3D999999&tailLines=40");
        ResourceMapping.Secrets.ObjectPath("a/../b", "x?y").ShouldBe("/api/v1/namespaces/a%2F..%2Fb/secrets/x%3Fy");
        ResourceMapping.Events.CollectionPath("shop", ("fieldSelector", "involvedObject.name=web-1"))
            .ShouldBe("/api/v1/namespaces/shop/events?fieldSelector=involvedObject.name%3Dweb-1");
        ResourceMapping.Query().ShouldBe("");
        Should.Throw<Onward.Core.Pipeline.PermanentFailureException>(() => ResourceMapping.Secrets.ObjectPath("..", "x")).Message
            .ShouldBe("'..' is not a name a Kubernetes object can have");
        Should.Throw<Onward.Core.Pipeline.PermanentFailureException>(() => ResourceMapping.Pods.ObjectPath("shop", "."));
    }
}
