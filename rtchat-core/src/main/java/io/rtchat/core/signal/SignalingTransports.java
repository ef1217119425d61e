package io.rtchat.core.signal;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/** Finds {@link SignalingTransportProvider}s with {@link ServiceLoader} and picks one by scheme. */
public final class SignalingTransports {

  private SignalingTransports() {}

  /** Every scheme a provider on the class path serves, sorted, mapped to its provider. */
  public static Map<String, SignalingTransportProvider> providers() {
    Map<String, SignalingTransportProvider> byScheme = new TreeMap<>();
    for (SignalingTransportProvider provider :
        ServiceLoader.load(SignalingTransportProvider.class, SignalingTransports.class.getClassLoader())) {
      for (String scheme : provider.schemes()) {
        byScheme.putIfAbsent(scheme.toLowerCase(Locale.ROOT), provider);
      }
    }
    return byScheme;
  }

  /**
   * The provider for the URI's scheme.
   *
   * @throws UnknownSchemeException listing the schemes that are available
   */
  public static SignalingTransportProvider providerFor(URI uri) {
    Map<String, SignalingTransportProvider> providers = providers();
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    SignalingTransportProvider provider = providers.get(scheme);
    if (provider == null) {
      throw new UnknownSchemeException(uri, providers.keySet());
    }
    return provider;
  }

  /** Thrown when no provider on the class path serves a URI's scheme. */
  public static final class UnknownSchemeException extends IllegalArgumentException {
    private final Set<String> available;

    UnknownSchemeException(URI uri, Set<String> available) {
      super("no signaling transport for scheme '" + uri.getScheme() + "' in " + uri
          + "; available schemes: " + String.join(", ", available));
      this.available = Set.copyOf(available);
    }

    public Set<String> availableSchemes() {
      return available;
    }
  }
}
