package dev.hotreload.core.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Finds and runs the developer's {@code go} command. Thread-safe. */
public final class GoToolchain {

  /** What a finished {@code go} command printed. */
  public record Result(int exitCode, String stdout, String stderr) {
    /**
     * Whether the command succeeded.
     *
     * @return true on exit code 0
     */
    public boolean ok() {
      return exitCode == 0;
    }
  }

  private final Path go;

  private GoToolchain(Path go) {
    this.go = go;
  }

  /**
   * Uses the given {@code go} binary.
   *
   * @param go the binary
   * @return the toolchain
   */
  public static GoToolchain at(Path go) {
    return new GoToolchain(go);
  }

  /**
   * Finds {@code go} on {@code PATH}, then in {@code GOROOT/bin}, then in {@code
   * /usr/local/go/bin}.
   *
   * @return the toolchain
   * @throws IOException naming where it looked, if there is none
   */
  public static GoToolchain find() throws IOException {
    List<Path> looked = new ArrayList<>();
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty()) {
        looked.add(Path.of(dir, "go"));
      }
    }
    Optional.ofNullable(System.getenv("GOROOT")).ifPresent(r -> looked.add(Path.of(r, "bin", "go")));
    looked.add(Path.of("/usr/local/go/bin/go"));
    for (Path candidate : looked) {
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return new GoToolchain(candidate);
      }
    }
    throw new IOException(
        "The Go toolchain ('go') was not found on PATH, in $GOROOT/bin or /usr/local/go/bin. "
            + "Install Go (https://go.dev/doc/install) or set the go binary with "
            + "GoBuilder.builder().goBinary(path)");
  }

  /**
   * The {@code go} binary.
   *
   * @return its path
   */
  public Path binary() {
    return go;
  }

  /**
   * Runs {@code go} with arguments in a directory and waits. If the calling thread is
   * interrupted, kills the command and every process it started, then throws.
   *
   * @param directory the working directory
   * @param env variables added to this process's environment
   * @param args the arguments after {@code go}
   * @return exit code and output
   * @throws IOException if it could not start
   * @throws InterruptedIOException if interrupted; the command is dead when this is thrown
   */
  public Result run(Path directory, Map<String, String> env, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(go.toString());
    command.addAll(args);
    return exec(command, directory, env);
  }

  /**
   * Runs one of the toolchain's programs (or any other) like {@link #run}: waits, and kills it
   * with everything it started if the calling thread is interrupted.
   *
   * @param command the program and its arguments
   * @param directory the working directory
   * @param env variables added to this process's environment
   * @return exit code and output
   * @throws IOException if it could not start
   * @throws InterruptedIOException if interrupted; the program is dead when this is thrown
   */
  static Result exec(List<String> command, Path directory, Map<String, String> env)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    CompletableFuture<String> stdout = drain(process.getInputStream());
    CompletableFuture<String> stderr = drain(process.getErrorStream());
    try {
      int exit = process.waitFor();
      return new Result(exit, stdout.join(), stderr.join());
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(String.join(" ", command) + " was interrupted");
    }
  }

  private static CompletableFuture<String> drain(InputStream in) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try (in) {
                text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                text.complete("");
              }
            },
            "hotreload-go-output");
    thread.setDaemon(true);
    thread.start();
    return text;
  }
}
