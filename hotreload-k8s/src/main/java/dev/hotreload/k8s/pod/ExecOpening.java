package dev.hotreload.k8s.pod;

import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthorizationV1Api;
import io.kubernetes.client.openapi.models.V1ResourceAttributes;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReview;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReviewSpec;
import io.kubernetes.client.openapi.models.V1SubjectAccessReviewStatus;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Waits for an exec's websocket to open, within a limit. client-java blocks the first write
 * until the websocket is open and never wakes it when the upgrade is refused (a 403 for a
 * missing {@code pods/exec} permission ends in an exception on OkHttp's own thread), so the
 * wait is bounded here, and a refusal is explained by asking the API server what the caller
 * may do.
 */
public final class ExecOpening {
  /**
   * Runs the client-java calls that block without a limit (the first write, a flush), so that
   * the caller can wait for them with one. Not CompletableFuture's default executor: on a machine
   * with more than two cores that is the common pool, whose few threads these calls would hold
   * while they block.
   */
  private static final ExecutorService BLOCKING = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "hotreload-exec-blocking");
    thread.setDaemon(true);
    return thread;
  });

  private ExecOpening() {}

  /**
   * Blocks until the exec's stdin takes a zero-length write, which means the websocket is open.
   *
   * @param stdin the exec's stdin
   * @param process the exec, destroyed if it does not open
   * @param pod where it runs
   * @param limit how long the open may take
   * @throws IOException naming the missing permission when the caller may not exec into the
   *     pod, else saying that the websocket did not open in time
   */
  public static void await(OutputStream stdin, Process process, PodContainer pod, Duration limit)
      throws IOException {
    CompletableFuture<Void> open = CompletableFuture.runAsync(() -> {
      try {
        stdin.write(new byte[0]);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, BLOCKING);
    try {
      // A pod deleted meanwhile leaves the open waiting for the whole limit (measured: 20 s,
      // while its replacement was up after 2 s): the wait ends once the container is gone.
      boolean settled = pod.awaitWhileRunning(limit, nanos -> {
        try {
          open.get(nanos, TimeUnit.NANOSECONDS);
          return true;
        } catch (ExecutionException e) {
          return true; // settled with a failure, read below
        } catch (TimeoutException e) {
          return false;
        }
      });
      if (!settled) {
        destroyQuietly(process);
        throw failure(pod, "did not open within " + limit.toSeconds() + " s", null);
      }
      open.get();
    } catch (InterruptedException e) {
      destroyQuietly(process);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("opening the exec into " + pod.id() + " interrupted");
    } catch (ExecutionException e) {
      destroyQuietly(process);
      throw failure(pod, "did not open: " + e.getCause().getMessage(), e.getCause());
    } catch (IOException e) {
      destroyQuietly(process);
      throw e;
    }
  }

  /**
   * The failure of an exec whose stream broke in client-java's hands (it throws unchecked
   * exceptions from a refused websocket), with the reason when it is a missing permission.
   *
   * @param pod where the exec was to run
   * @param e what client-java threw
   * @return an exception to report
   */
  public static IOException broken(PodContainer pod, RuntimeException e) {
    return failure(pod, "broke: " + e, e);
  }

  /** A missing permission is final; anything else may be the connection's and pass. */
  private static IOException failure(PodContainer pod, String what, Throwable cause) {
    String forbidden = explain(pod);
    String message = "The exec into " + pod.id() + " " + what + forbidden;
    return forbidden.isEmpty() ? new IOException(message, cause) : new Forbidden(message);
  }

  /** The caller may not exec into the pod: trying again will not help. */
  public static final class Forbidden extends IOException {
    private static final long serialVersionUID = 1L;

    Forbidden(String message) {
      super(message);
    }
  }

  /** Why the exec may have been refused, or nothing when the caller may exec. */
  private static String explain(PodContainer pod) {
    try {
      V1SubjectAccessReviewStatus create = review(pod, "create");
      V1SubjectAccessReviewStatus get = review(pod, "get");
      if (Boolean.TRUE.equals(create.getAllowed()) && Boolean.TRUE.equals(get.getAllowed())) {
        return "";
      }
      return ": forbidden: these credentials may not "
          + (Boolean.TRUE.equals(create.getAllowed()) ? "get" : "create")
          + " pods/exec in namespace " + pod.namespace() + ". The Role needs create and get on "
          + "pods/exec (see k8s/hotreload-role.yaml in the hotreload repository)";
    } catch (ApiException | RuntimeException e) {
      return ""; // the review itself is not allowed: nothing more to say than the timeout
    }
  }

  private static V1SubjectAccessReviewStatus review(PodContainer pod, String verb)
      throws ApiException {
    V1SelfSubjectAccessReview review = new V1SelfSubjectAccessReview().spec(
        new V1SelfSubjectAccessReviewSpec().resourceAttributes(new V1ResourceAttributes()
            .namespace(pod.namespace()).verb(verb).resource("pods").subresource("exec")
            .name(pod.pod())));
    return new AuthorizationV1Api(pod.client()).createSelfSubjectAccessReview(review)
        .execute().getStatus();
  }

  /**
   * Ends an exec; client-java's destroy of an exec whose websocket never opened throws a
   * NullPointerException, which must not hide why the exec failed.
   *
   * @param process the exec
   */
  public static void destroyQuietly(Process process) {
    try {
      process.destroy();
    } catch (RuntimeException e) {
      // nothing left to end
    }
  }

  /**
   * The exec's stdin, whose flush gives up once the exec has ended. client-java's flush waits
   * until OkHttp's send queue is empty and, when the exec died meanwhile, gives up only after
   * 10 s: an install stream killed while a payload was on its way cost a delivery 10.9 s (the
   * fault soak, 2 of 3 such faults).
   *
   * @param process the exec
   * @return its stdin
   */
  public static OutputStream stdinOf(Process process) {
    return new FlushWhileAlive(process.getOutputStream(), process::isAlive);
  }

  static final class FlushWhileAlive extends FilterOutputStream {
    private final BooleanSupplier alive;

    FlushWhileAlive(OutputStream out, BooleanSupplier alive) {
      super(out);
      this.alive = alive;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      CompletableFuture<Void> flushed = CompletableFuture.runAsync(() -> {
        try {
          out.flush();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, BLOCKING);
      while (true) {
        try {
          flushed.get(20, TimeUnit.MILLISECONDS);
          return;
        } catch (TimeoutException e) {
          if (!alive.getAsBoolean()) {
            throw new IOException("the exec ended before all of its stdin was sent");
          }
        } catch (ExecutionException e) {
          throw e.getCause() instanceof java.io.UncheckedIOException io ? io.getCause()
              : new IOException("flushing the exec's stdin failed", e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("flushing the exec's stdin");
        }
      }
    }
  }

  /** The limit for opening an exec: the delivery's own, at most 20 seconds. */
  static Duration limit(Duration delivery) {
    Duration most = Duration.ofSeconds(20);
    return delivery.compareTo(most) < 0 ? delivery : most;
  }
}
