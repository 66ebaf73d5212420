/**
 * The service as a local process: a target and the transport that swaps its binary, for
 * development without a cluster and for tests.
 */
package dev.hotreload.core.local;
