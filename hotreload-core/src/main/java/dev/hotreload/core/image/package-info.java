/**
 * ko-style dev images with jib-core: {@link dev.hotreload.core.image.ImageBuilder} checks its
 * settings into an immutable {@link dev.hotreload.core.image.ImageSpec}, then assembles the
 * binary, the agent and kodata onto a base and pushes, writes a tar or loads into Docker.
 */
package dev.hotreload.core.image;
