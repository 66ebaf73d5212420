package dev.hotreload;

/** The steps of one reload, in the order they run. */
public enum Phase {
  /** From the first file event to the end of the debounce window. */
  CHANGE_DETECTED,
  /** Compiling the binary. */
  BUILD,
  /** Moving the bytes to every destination. */
  TRANSFER,
  /** Swapping the binary and restarting the process. */
  RESTART,
  /** Waiting until the new process answers. */
  READY
}
