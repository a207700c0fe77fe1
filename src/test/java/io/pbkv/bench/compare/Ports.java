package io.pbkv.bench.compare;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;

/** Free TCP ports on 127.0.0.1, distinct from the ones already taken in this run. */
final class Ports {

	private Ports() {
	}

	static int free(Set<Integer> taken) throws IOException {
		for (int attempt = 0; attempt < 100; attempt++) {
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				int port = socket.getLocalPort();
				if (taken.add(port)) {
					return port;
				}
			}
		}
		throw new IOException("no free port found");
	}

}
