package dev.shadowtest.recorder.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Whether a URL points at the proxy's own listening address: an upstream (or mirror) there would
 * send every request back to the proxy, forever. Same port, and a host that reaches the listening
 * socket: the same address; any loopback or local address when listening on all addresses
 * ({@code 0.0.0.0}, {@code ::}); {@code 0.0.0.0} itself, which connects to this host. Names are
 * resolved ({@code localhost}); a name that does not resolve is not this host.
 */
public final class OwnAddress {

  private OwnAddress() {}

  /** True when {@code target} would reach the proxy listening on {@code listen} (port 0: any free port, never). */
  public static boolean reaches(URI target, InetSocketAddress listen) {
    if (listen.getPort() == 0
        || listen.isUnresolved()
        || ProxyHandler.port(target) != listen.getPort()) {
      return false;
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(target.getHost());
    } catch (UnknownHostException e) {
      return false;
    }
    InetAddress own = listen.getAddress();
    for (InetAddress a : addresses) {
      if (a.equals(own)
          || a.isAnyLocalAddress() && (own.isAnyLocalAddress() || own.isLoopbackAddress())
          || own.isAnyLocalAddress() && (a.isLoopbackAddress() || local(a))) {
        return true;
      }
    }
    return false;
  }

  private static boolean local(InetAddress a) {
    try {
      return NetworkInterface.getByInetAddress(a) != null;
    } catch (SocketException e) {
      return false;
    }
  }
}
