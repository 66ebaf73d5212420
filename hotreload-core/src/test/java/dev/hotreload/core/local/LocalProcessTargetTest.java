package dev.hotreload.core.local;

import dev.hotreload.core.contract.TargetContract;
import dev.hotreload.spi.Target;
import dev.hotreload.spi.TargetHandle;
import dev.hotreload.spi.Transport;

/** The local process target is one process, for the whole session. */
class LocalProcessTargetTest extends TargetContract {
  @Override
  protected Target target() {
    return LocalProcessTarget.create();
  }

  @Override
  protected int initialDestinations() {
    return 1;
  }

  @Override
  protected Class<? extends Transport> declaredTransport() {
    return LocalProcessTransport.class;
  }

  @Override
  protected boolean addDestination(TargetHandle handle) {
    return false;
  }
}
