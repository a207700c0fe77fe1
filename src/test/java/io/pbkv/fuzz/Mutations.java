package io.pbkv.fuzz;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Mutations of valid inputs for fuzz tests, the kinds that find parser bugs: flipped bits, boundary bytes, length
 * fields overwritten with huge or negative numbers, truncation, spliced and repeated slices, and plain noise. Seeded,
 * so a failure reruns from the seed it prints. How many inputs a test tries: {@code -Dpbkv.fuzz.inputs=N} (CI keeps
 * the default; a nightly run asks for millions).
 */
public final class Mutations {

	private static final int[] BOUNDARY_INTS = { 0, 1, -1, 0x7fffffff, 0x80000000, 0xffff, 0x10000, 0x7f, 0x80, 0xff };

	private final SplittableRandom random;

	public Mutations(long seed) {
		this.random = new SplittableRandom(seed);
	}

	/** {@code -Dpbkv.fuzz.inputs}, else {@code ciDefault}. */
	public static int inputs(int ciDefault) {
		return Integer.getInteger("pbkv.fuzz.inputs", ciDefault);
	}

	public int nextInt(int bound) {
		return random.nextInt(bound);
	}

	/** One to three mutations of a copy of {@code valid}. */
	public byte[] mutate(byte[] valid) {
		byte[] bytes = valid.clone();
		int rounds = 1 + random.nextInt(3);
		for (int r = 0; r < rounds; r++) {
			bytes = once(bytes);
		}
		return bytes;
	}

	private byte[] once(byte[] bytes) {
		if (bytes.length == 0) {
			return noise(1 + random.nextInt(64));
		}
		int at = random.nextInt(bytes.length);
		switch (random.nextInt(8)) {
			case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
			case 1 -> bytes[at] = (byte) new int[] { 0, 0x7f, 0x80, 0xff, 1 }[random.nextInt(5)];
			case 2 -> {
				// A length or count field: four bytes, big-endian, set to a boundary.
				int value = BOUNDARY_INTS[random.nextInt(BOUNDARY_INTS.length)];
				for (int i = 0; i < 4 && at + i < bytes.length; i++) {
					bytes[at + i] = (byte) (value >>> (24 - 8 * i));
				}
			}
			case 3 -> {
				return Arrays.copyOf(bytes, at);
			}
			case 4 -> {
				int from = random.nextInt(bytes.length);
				int length = random.nextInt(Math.min(64, bytes.length - from) + 1);
				byte[] out = new byte[bytes.length + length];
				System.arraycopy(bytes, 0, out, 0, at);
				System.arraycopy(bytes, from, out, at, length);
				System.arraycopy(bytes, at, out, at + length, bytes.length - at);
				return out;
			}
			case 5 -> {
				int end = Math.min(bytes.length, at + 1 + random.nextInt(16));
				byte[] out = new byte[bytes.length - (end - at)];
				System.arraycopy(bytes, 0, out, 0, at);
				System.arraycopy(bytes, end, out, at, bytes.length - end);
				return out;
			}
			case 6 -> {
				byte[] noise = noise(1 + random.nextInt(8));
				System.arraycopy(noise, 0, bytes, at, Math.min(noise.length, bytes.length - at));
			}
			default -> {
				return noise(random.nextInt(2 * bytes.length + 1));
			}
		}
		return bytes;
	}

	private byte[] noise(int length) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) random.nextInt(256);
		}
		return bytes;
	}

	/** The input as hex, cut at 512 bytes, for a failure message. */
	public static String show(byte[] bytes) {
		String hex = HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 512));
		return bytes.length + " bytes: " + hex + (bytes.length > 512 ? "..." : "");
	}

}
