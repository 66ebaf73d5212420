/**
 * A JUnit 5 extension that runs a Go workspace's services in a K3s cluster from Testcontainers,
 * under hot reload ({@link dev.hotreload.k3s.junit.K3sHotReloadExtension}).
 */
package dev.hotreload.k3s.junit;
