package dev.hotreload.core.internal.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.CredentialRetriever;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import dev.hotreload.LogEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The registry API calls jib-core does not make for us: pulling a base image (manifests, config,
 * layers, each checked against its digest) before the first build, and putting an image index
 * after the per-platform images are pushed.
 *
 * <p>Speaks plain http to loopback registries and verified https to every other. Answers a 401
 * the way Docker does: a Bearer token from the challenge's realm (anonymous, or with the Docker
 * config's credentials), or Basic with those credentials. Not thread-safe.
 */
public final class RegistryHttp {
  private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final ImageName name;
  private final String base;
  private final Supplier<Optional<Credential>> credential;
  private final HttpClient http;
  private String authorization;
  private Optional<Credential> loadedCredential;

  private RegistryHttp(ImageName name, Supplier<Optional<Credential>> credential) {
    this.name = name;
    this.base = (name.loopback() ? "http://" : "https://") + name.registry() + "/v2/"
        + name.repository();
    this.credential = credential;
    this.http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * A client for one repository, with the credentials Docker would use for it ({@code
   * ~/.docker/config.json}, its credential helpers); none for loopback registries.
   *
   * @param name the repository's image name
   * @param log where jib's credential messages go
   * @return the client
   */
  public static RegistryHttp forImage(ImageName name, Consumer<LogEvent> log) {
    return new RegistryHttp(name, () -> {
      if (name.loopback()) {
        return Optional.empty();
      }
      CredentialRetriever retriever = CredentialRetrieverFactory
          .forImage(name.jib(), e -> log.accept(LogEvent.debug(e.getMessage())))
          .dockerConfig();
      try {
        return retriever.retrieve();
      } catch (Exception e) {
        log.accept(LogEvent.warn("Could not read credentials for " + name.registry() + ": "
            + e.getMessage() + "; trying without"));
        return Optional.empty();
      }
    });
  }

  /**
   * A manifest or index, with its digest computed from the bytes served.
   *
   * @param mediaType what it is
   * @param digest {@code sha256:} of its bytes
   * @param body its bytes
   * @param json its parsed form
   */
  public record Fetched(String mediaType, String digest, byte[] body, JsonNode json) {}

  /**
   * GETs a manifest or index by tag or digest.
   *
   * @param reference a tag or {@code sha256:…}
   * @return the document
   * @throws IOException if the registry refuses or cannot be reached; the message says which
   */
  public Fetched manifest(String reference) throws IOException {
    HttpResponse<byte[]> response = send(
        () -> HttpRequest.newBuilder(uri("/manifests/" + reference))
            .header("Accept", OciJson.ANY_MANIFEST).GET(),
        "pull", "GET manifest " + reference);
    byte[] body = response.body();
    String digest = OciJson.digest(body);
    if (reference.startsWith("sha256:") && !reference.equals(digest)) {
      throw new IOException(name.registry() + " served " + digest + " for " + name.repository()
          + "@" + reference + ": refusing a manifest whose content does not match its digest");
    }
    JsonNode json = OciJson.read(body, "manifest " + name.repositoryText() + ":" + reference);
    String contentType = response.headers().firstValue("Content-Type").orElse(null);
    return new Fetched(OciJson.mediaType(json, contentType), digest, body, json);
  }

  /**
   * The size of a manifest, asked with HEAD.
   *
   * @param digest its digest
   * @param mediaType its media type
   * @return its size in bytes
   * @throws IOException if the registry does not have it
   */
  public long manifestSize(String digest, String mediaType) throws IOException {
    HttpResponse<byte[]> response = send(
        () -> HttpRequest.newBuilder(uri("/manifests/" + digest)).header("Accept", mediaType)
            .method("HEAD", HttpRequest.BodyPublishers.noBody()),
        "pull", "HEAD manifest " + digest);
    return response.headers().firstValueAsLong("Content-Length")
        .orElseThrow(() -> new IOException(name.registry() + " gave no Content-Length for "
            + name.repository() + "@" + digest));
  }

  /**
   * Downloads a blob into a file, streaming: base image layers can be large.
   *
   * @param digest {@code sha256:…}
   * @param target the file; written only once the content matches the digest
   * @throws IOException if it cannot be had or does not match
   */
  public void blobToFile(String digest, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    Path temp = Files.createTempFile(target.getParent(), ".incoming-", "");
    try {
      send(() -> HttpRequest.newBuilder(uri("/blobs/" + digest)).GET(),
          HttpResponse.BodyHandlers.ofFile(temp, StandardOpenOption.CREATE,
              StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING),
          "pull", "GET blob " + digest);
      String actual = sha256(temp);
      if (!actual.equals(digest)) {
        throw new IOException(name.registry() + " served blob " + name.repository() + "@"
            + digest + " with other content (" + actual + ")");
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return "sha256:" + HexFormat.of().formatHex(digest.digest());
  }

  /**
   * PUTs a manifest or index under a tag.
   *
   * @param tag the tag
   * @param mediaType its media type, sent as Content-Type
   * @param body its bytes
   * @return its digest
   * @throws IOException if the registry refuses it
   */
  public String putManifest(String tag, String mediaType, byte[] body) throws IOException {
    send(() -> HttpRequest.newBuilder(uri("/manifests/" + tag)).header("Content-Type", mediaType)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)),
        "pull,push", "PUT manifest " + tag);
    return OciJson.digest(body);
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private HttpResponse<byte[]> send(
      Supplier<HttpRequest.Builder> request, String actions, String what) throws IOException {
    return send(request, HttpResponse.BodyHandlers.ofByteArray(), actions, what);
  }

  private <T> HttpResponse<T> send(Supplier<HttpRequest.Builder> request,
      HttpResponse.BodyHandler<T> handler, String actions, String what) throws IOException {
    HttpResponse<T> response = exchange(request.get(), handler, true);
    if (response.statusCode() == 401) {
      authorization = authenticate(response.headers(), actions);
      response = exchange(request.get(), handler, true);
    }
    if (response.statusCode() / 100 != 2) {
      throw new IOException(what + " at " + name.registry() + "/" + name.repository()
          + " answered " + response.statusCode() + ": " + excerpt(response.body())
          + hint(response.statusCode()));
    }
    return response;
  }

  private <T> HttpResponse<T> exchange(HttpRequest.Builder request,
      HttpResponse.BodyHandler<T> handler, boolean withAuth) throws IOException {
    request.timeout(TIMEOUT);
    if (withAuth && authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpRequest built = request.build();
    try {
      HttpResponse<T> response = http.send(built, handler);
      int status = response.statusCode();
      if ((status == 301 || status == 302 || status == 303 || status == 307 || status == 308)
          && response.headers().firstValue("Location").isPresent()) {
        // Blob storage behind a redirect rejects (or must not see) the registry's token.
        URI target = built.uri().resolve(response.headers().firstValue("Location").get());
        return exchange(HttpRequest.newBuilder(target).method(built.method(),
            HttpRequest.BodyPublishers.noBody()), handler, false);
      }
      return response;
    } catch (ConnectException e) {
      throw new IOException("Nothing answers at " + built.uri().getScheme() + "://"
          + name.registry() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")")
          + ": is the registry running?", e);
    } catch (HttpTimeoutException e) {
      throw new IOException(name.registry() + " did not answer " + built.method() + " "
          + built.uri() + " within " + TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling " + name.registry(), e);
    }
  }

  private String authenticate(HttpHeaders challenge, String actions) throws IOException {
    String header = challenge.firstValue("WWW-Authenticate").orElse("");
    Optional<Credential> user = credential();
    if (header.regionMatches(true, 0, "Basic", 0, 5)) {
      return basic(user.orElseThrow(() -> new IOException(name.registry()
          + " wants a user name and password: log in with `docker login " + name.registry()
          + "`")));
    }
    if (!header.regionMatches(true, 0, "Bearer", 0, 6)) {
      throw new IOException(name.registry() + " asks for authentication this client does not "
          + "speak: '" + header + "'");
    }
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = CHALLENGE_PARAM.matcher(header);
    while (m.find()) {
      params.put(m.group(1).toLowerCase(), m.group(2));
    }
    String realm = params.get("realm");
    if (realm == null) {
      throw new IOException(name.registry() + " sent a Bearer challenge without realm: " + header);
    }
    StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
    if (params.containsKey("service")) {
      url.append("service=").append(encode(params.get("service"))).append('&');
    }
    url.append("scope=").append(encode(
        params.getOrDefault("scope", "repository:" + name.repository() + ":" + actions)));
    HttpRequest.Builder token = HttpRequest.newBuilder(URI.create(url.toString())).GET();
    user.ifPresent(c -> token.header("Authorization", basic(c)));
    HttpResponse<byte[]> response =
        exchange(token, HttpResponse.BodyHandlers.ofByteArray(), false);
    if (response.statusCode() != 200) {
      throw new IOException("The token service " + realm + " of " + name.registry()
          + " answered " + response.statusCode() + ": " + excerpt(response.body())
          + (user.isEmpty() ? "; log in with `docker login " + name.registry() + "`" : ""));
    }
    JsonNode json = OciJson.read(response.body(), "token from " + realm);
    String value = json.path("token").asText(json.path("access_token").asText(""));
    if (value.isEmpty()) {
      throw new IOException("The token service " + realm + " answered without a token");
    }
    return "Bearer " + value;
  }

  private Optional<Credential> credential() {
    if (loadedCredential == null) {
      loadedCredential = credential.get();
    }
    return loadedCredential;
  }

  private static String basic(Credential c) {
    return "Basic " + Base64.getEncoder().encodeToString(
        (c.getUsername() + ":" + c.getPassword()).getBytes(StandardCharsets.UTF_8));
  }

  private String hint(int status) {
    return switch (status) {
      case 401, 403 -> "; check the credentials for " + name.registry()
          + " in ~/.docker/config.json (`docker login " + name.registry() + "`)";
      case 404 -> "; check the repository and tag";
      default -> "";
    };
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String excerpt(Object body) {
    byte[] bytes;
    if (body instanceof byte[] b) {
      bytes = b;
    } else if (body instanceof Path file) {
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes(400);
      } catch (IOException e) {
        bytes = new byte[0];
      }
    } else {
      bytes = new byte[0];
    }
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    return text.length() > 300 ? text.substring(0, 300) + "…" : text;
  }
}
