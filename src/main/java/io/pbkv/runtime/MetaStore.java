package io.pbkv.runtime;

import io.pbkv.core.HardState;

import java.io.IOException;

/**
 * The node's {@link HardState} on disk. {@link #save} is atomic and durable when it returns (temp file, fsync,
 * rename, fsync of the directory), so a crash leaves either the old state or the new one, never a mix.
 */
public interface MetaStore {

	/** The saved state, or {@link HardState#INITIAL} when none was ever saved. */
	HardState load() throws IOException;

	void save(HardState state) throws IOException;

}
