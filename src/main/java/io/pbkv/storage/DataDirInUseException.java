package io.pbkv.storage;

import java.io.IOException;

/** Another pbkv process (or this one) already holds the lock on the data directory. */
public class DataDirInUseException extends IOException {

	DataDirInUseException(String message) {
		super(message);
	}

}
