/**
 * Building ko-style images with jib-core: base image resolution, layer staging, image archives
 * and the registry calls jib-core does not make (resolving a base tag, putting an image index).
 * Not public API: only {@link dev.hotreload.core.image.ImageBuilder} uses it.
 */
package dev.hotreload.core.internal.image;
