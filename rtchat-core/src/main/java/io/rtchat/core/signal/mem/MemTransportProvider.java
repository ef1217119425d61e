package io.rtchat.core.signal.mem;

import io.rtchat.core.signal.SignalingTransport;
import io.rtchat.core.signal.SignalingTransportProvider;
import java.net.URI;
import java.util.Set;

/**
 * {@code mem://HUB/ROOM}: peers of one JVM that name the same hub meet without any network
 * signaling. For tests and examples.
 */
public final class MemTransportProvider implements SignalingTransportProvider {

  @Override
  public Set<String> schemes() {
    return Set.of("mem");
  }

  @Override
  public SignalingTransport create(URI uri) {
    String hub = uri.getAuthority() == null ? "default" : uri.getAuthority();
    return new MemTransport(MemHub.named(hub));
  }
}
