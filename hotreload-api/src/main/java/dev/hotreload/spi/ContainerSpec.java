package dev.hotreload.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A container as a manifest describes it, without Kubernetes types: what a {@link
 * ManifestTransformer} reads and rewrites.
 *
 * @param name the container's name
 * @param image the image reference
 * @param command the entrypoint override, empty when the image's entrypoint is used
 * @param args the arguments, empty when the image's are used
 * @param env environment variables set by the manifest, in order
 * @param workingDir the working directory, if set
 * @param emptyDirMounts writable scratch volumes the container needs mounted
 */
public record ContainerSpec(
    String name,
    String image,
    List<String> command,
    List<String> args,
    Map<String, String> env,
    Optional<String> workingDir,
    List<EmptyDirMount> emptyDirMounts) {

  /**
   * A scratch volume mounted in the container.
   *
   * @param volumeName the pod volume's name
   * @param mountPath where it is mounted
   */
  public record EmptyDirMount(String volumeName, String mountPath) {
    /** Checks the fields. */
    public EmptyDirMount {
      Objects.requireNonNull(volumeName, "volumeName");
      Objects.requireNonNull(mountPath, "mountPath");
    }
  }

  /** Copies the collections, keeping the order of {@code env}. */
  public ContainerSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(workingDir, "workingDir");
    command = List.copyOf(command);
    args = List.copyOf(args);
    env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    emptyDirMounts = List.copyOf(emptyDirMounts);
  }
}
