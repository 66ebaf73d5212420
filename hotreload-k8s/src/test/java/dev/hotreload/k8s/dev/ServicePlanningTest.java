package dev.hotreload.k8s.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotreload.Platform;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeSpec;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1NodeSystemInfo;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a dev session turns manifests, modules and nodes into services and platforms. */
class ServicePlanningTest {
  @TempDir Path workspace;

  @Test
  void koReferences_areFoundQuotedOrNot_inOrder_once() {
    String yaml = """
        containers:
        - image: ko://example.com/shop/cmd/front
        - image: "ko://example.com/shop/cmd/back"
        env:
        - value: 'ko://example.com/shop/cmd/front'
        """;

    assertThat(KoReferences.importPaths(yaml))
        .containsExactly("example.com/shop/cmd/front", "example.com/shop/cmd/back");
  }

  @Test
  void importPath_resolvesInTheModule_toAMainPackageDirectory() throws IOException {
    Files.writeString(workspace.resolve("go.mod"), "module example.com/shop\n\ngo 1.21\n");
    Files.createDirectories(workspace.resolve("cmd/front"));

    GoModules modules = GoModules.of(workspace);

    assertThat(modules.mainPackage("example.com/shop/cmd/front")).isEqualTo("./cmd/front");
    assertThatThrownBy(() -> modules.mainPackage("example.com/other/cmd/x"))
        .hasMessageContaining("none of the workspace's modules (example.com/shop)");
    assertThatThrownBy(() -> modules.mainPackage("example.com/shop/cmd/missing"))
        .hasMessageContaining("does not exist in module example.com/shop");
  }

  @Test
  void goWork_modulesAreAllSearched_longestPathFirst() throws IOException {
    Files.writeString(workspace.resolve("go.work"), "go 1.22\n\nuse (\n\t./shop\n\t./shop/tools\n)\n");
    Files.createDirectories(workspace.resolve("shop/cmd/front"));
    Files.createDirectories(workspace.resolve("shop/tools/cmd/gen"));
    Files.writeString(workspace.resolve("shop/go.mod"), "module example.com/shop\n");
    Files.writeString(workspace.resolve("shop/tools/go.mod"), "module example.com/shop/tools\n");

    GoModules modules = GoModules.of(workspace);

    assertThat(modules.mainPackage("example.com/shop/cmd/front")).isEqualTo("./shop/cmd/front");
    assertThat(modules.mainPackage("example.com/shop/tools/cmd/gen"))
        .isEqualTo("./shop/tools/cmd/gen");
  }

  @Test
  void nodesOfTwoArchitectures_giveTwoPlatforms_unschedulableOnesNone() throws IOException {
    List<V1Node> nodes = List.of(node("a", "amd64", false), node("b", "arm64", false),
        node("c", "amd64", false), node("d", "s390x", true));

    assertThat(NodePlatforms.of(nodes))
        .containsExactly(Platform.LINUX_AMD64, Platform.parse("linux/arm64"));
  }

  @Test
  void noNodeThatReportsAPlatform_isAnErrorThatSaysWhatToSet() {
    assertThatThrownBy(() -> NodePlatforms.of(List.of(node("d", "arm64", true))))
        .hasMessageContaining(".platform(\"linux/amd64\")");
  }

  private static V1Node node(String name, String arch, boolean unschedulable) {
    return new V1Node().metadata(new V1ObjectMeta().name(name))
        .spec(new V1NodeSpec().unschedulable(unschedulable))
        .status(new V1NodeStatus().nodeInfo(new V1NodeSystemInfo().operatingSystem("linux")
            .architecture(arch)));
  }
}
