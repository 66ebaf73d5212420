package dev.hotreload.k8s.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Go module with two services, as a shop would have them: {@code cmd/front} answers
 * {@code <common prefix> <front text>}, {@code cmd/back} answers {@code <common prefix> back}.
 * {@code internal/common} is imported by both, {@code internal/fronttext} by the front only.
 * {@code k8s/shop.yaml} runs each in a Deployment by its {@code ko://} reference, beside a
 * ConfigMap.
 */
public final class ShopWorkspace {
  /** The module path. */
  public static final String MODULE = "example.com/shop";
  private final Path root;

  private ShopWorkspace(Path root) {
    this.root = root;
  }

  /**
   * Writes the module.
   *
   * @param root an empty directory
   * @return the workspace
   * @throws IOException if writing fails
   */
  public static ShopWorkspace create(Path root) throws IOException {
    ShopWorkspace shop = new ShopWorkspace(root);
    Files.writeString(root.resolve("go.mod"), "module " + MODULE + "\n\ngo 1.21\n");
    shop.service("front", "common.Prefix + \" \" + fronttext.Text",
        "\t\"example.com/shop/internal/fronttext\"\n");
    shop.service("back", "common.Prefix + \" back\"", "");
    shop.common("v1");
    shop.frontText("front");
    Path k8s = Files.createDirectories(root.resolve("k8s"));
    Files.writeString(k8s.resolve("shop.yaml"), shop.deployment("front") + "---\n"
        + shop.deployment("back") + """
        ---
        # The manifests change this ConfigMap: closing the session must put it back.
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: shop-config
        data:
          mode: dev
        """);
    return shop;
  }

  private void service(String name, String answer, String extraImport) throws IOException {
    Path dir = Files.createDirectories(root.resolve("cmd/" + name));
    Files.writeString(dir.resolve("main.go"), """
        package main

        import (
        \t"fmt"
        \t"net/http"
        \t"os"

        \t"example.com/shop/internal/common"
        %s)

        func main() {
        \thttp.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
        \t\tfmt.Fprint(w, %s)
        \t})
        \tfmt.Println("%s listening on", os.Getenv("PORT"))
        \tif err := http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil); err != nil {
        \t\tfmt.Fprintln(os.Stderr, err)
        \t\tos.Exit(1)
        \t}
        }
        """.formatted(extraImport, answer, name));
  }

  private String deployment(String name) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %1$s
          labels:
            app: %1$s
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: %1$s
          template:
            metadata:
              labels:
                app: %1$s
            spec:
              terminationGracePeriodSeconds: 2
              securityContext:
                runAsNonRoot: true
                runAsUser: 65532
              containers:
              - name: app
                image: ko://example.com/shop/cmd/%1$s
                env:
                - name: PORT
                  value: "8080"
                ports:
                - containerPort: 8080
                securityContext:
                  readOnlyRootFilesystem: true
        """.formatted(name);
  }

  /**
   * The module root.
   *
   * @return the directory with go.mod
   */
  public Path root() {
    return root;
  }

  /**
   * Saves the prefix both services answer with.
   *
   * @param prefix the new prefix
   * @throws IOException if writing fails
   */
  public void common(String prefix) throws IOException {
    Path dir = Files.createDirectories(root.resolve("internal/common"));
    Files.writeString(dir.resolve("common.go"),
        "package common\n\n// Prefix starts every answer.\nconst Prefix = \"" + prefix + "\"\n");
  }

  /**
   * Saves the text only the front answers with.
   *
   * @param text the new text
   * @throws IOException if writing fails
   */
  public void frontText(String text) throws IOException {
    Path dir = Files.createDirectories(root.resolve("internal/fronttext"));
    Files.writeString(dir.resolve("fronttext.go"),
        "package fronttext\n\n// Text is the front's own words.\nconst Text = \"" + text + "\"\n");
  }
}
