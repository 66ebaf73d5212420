package dev.hotreload.core.build;

import dev.hotreload.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * The few fields of an ELF file header that say which machines can run it, so that a helper built
 * for the wrong CPU is refused on the developer's machine instead of failing in the pod with
 * "exec format error".
 *
 * @param elfClass 1 for 32-bit, 2 for 64-bit ({@code EI_CLASS})
 * @param dataEncoding 1 for little-endian, 2 for big-endian ({@code EI_DATA})
 * @param osAbi the {@code EI_OSABI} byte
 * @param type the {@code e_type}: 2 for executables, 3 for position-independent ones
 * @param machine the {@code e_machine}, for example 62 for x86-64 and 183 for aarch64
 */
public record ElfHeader(int elfClass, int dataEncoding, int osAbi, int type, int machine) {

  private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};
  private static final int HEADER_BYTES = 20;

  /** What a Go architecture's binaries carry in the header: machine, class and byte order. */
  private record Expected(int machine, int elfClass, int dataEncoding) {}

  private static final Map<String, Expected> BY_GO_ARCH =
      Map.ofEntries(
          Map.entry("amd64", new Expected(62, 2, 1)),
          Map.entry("arm64", new Expected(183, 2, 1)),
          Map.entry("arm", new Expected(40, 1, 1)),
          Map.entry("386", new Expected(3, 1, 1)),
          Map.entry("ppc64le", new Expected(21, 2, 1)),
          Map.entry("ppc64", new Expected(21, 2, 2)),
          Map.entry("s390x", new Expected(22, 2, 2)),
          Map.entry("riscv64", new Expected(243, 2, 1)),
          Map.entry("loong64", new Expected(258, 2, 1)),
          Map.entry("mips", new Expected(8, 1, 2)),
          Map.entry("mipsle", new Expected(8, 1, 1)),
          Map.entry("mips64", new Expected(8, 2, 2)),
          Map.entry("mips64le", new Expected(8, 2, 1)));

  /**
   * Reads the header at the start of a file.
   *
   * @param file the file
   * @return the header, or empty if the file is not ELF
   * @throws IOException if the file cannot be read
   */
  public static Optional<ElfHeader> read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in.readNBytes(HEADER_BYTES));
    }
  }

  /**
   * Parses the first bytes of a file.
   *
   * @param bytes at least the first 20 bytes of the file (fewer means "not ELF")
   * @return the header, or empty if the bytes do not start an ELF file
   */
  public static Optional<ElfHeader> parse(byte[] bytes) {
    if (bytes.length < HEADER_BYTES || !Arrays.equals(bytes, 0, 4, ELF_MAGIC, 0, 4)) {
      return Optional.empty();
    }
    int elfClass = bytes[4] & 0xff;
    int data = bytes[5] & 0xff;
    boolean little = data != 2;
    int type = u16(bytes, 16, little);
    int machine = u16(bytes, 18, little);
    return Optional.of(new ElfHeader(elfClass, data, bytes[7] & 0xff, type, machine));
  }

  private static int u16(byte[] bytes, int at, boolean littleEndian) {
    int a = bytes[at] & 0xff;
    int b = bytes[at + 1] & 0xff;
    return littleEndian ? a | b << 8 : a << 8 | b;
  }

  /**
   * Whether a Linux machine of this platform can run the file.
   *
   * @param platform a {@code linux/...} platform
   * @return true if machine, word size and byte order match and the file is an executable for
   *     Linux (or for no particular OS, as most Linux binaries say)
   */
  public boolean runsOn(Platform platform) {
    Expected expected = BY_GO_ARCH.get(platform.architecture());
    return expected != null
        && platform.os().equals("linux")
        && machine == expected.machine
        && elfClass == expected.elfClass
        && dataEncoding == expected.dataEncoding
        && (type == 2 || type == 3)
        && (osAbi == 0 || osAbi == 3);
  }

  /**
   * Names what the file is for, in the words {@code file(1)} and Rust target triples use.
   *
   * @return for example {@code aarch64}, {@code x86-64} or {@code 32-bit arm}
   */
  public String describe() {
    String name =
        switch (machine) {
          case 62 -> "x86-64";
          case 183 -> "aarch64";
          case 40 -> "arm";
          case 3 -> "i386";
          case 21 -> dataEncoding == 1 ? "ppc64le" : "ppc64";
          case 22 -> "s390x";
          case 243 -> "riscv";
          case 258 -> "loongarch";
          case 8 -> "mips";
          default -> "ELF machine " + machine;
        };
    if (type != 2 && type != 3) {
      name += " (not an executable: ELF type " + type + ")";
    }
    if (osAbi != 0 && osAbi != 3) {
      name += " (OS ABI " + osAbi + ", not Linux)";
    }
    return name;
  }

  /**
   * Names what a file that is not ELF probably is, for error messages: the usual mistake is
   * copying the watchexec of one's Mac or Windows machine.
   *
   * @param bytes the first bytes of the file
   * @return for example {@code a macOS (Mach-O) binary}
   */
  public static String describeNonElf(byte[] bytes) {
    int magic = bytes.length >= 4
        ? (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | bytes[3] & 0xff
        : 0;
    if (magic == 0xfeedface || magic == 0xfeedfacf || magic == 0xcefaedfe
        || magic == 0xcffaedfe || magic == 0xcafebabe) {
      return "a macOS (Mach-O) binary";
    }
    if (bytes.length >= 2 && bytes[0] == 'M' && bytes[1] == 'Z') {
      return "a Windows (PE) binary";
    }
    if (bytes.length >= 2 && bytes[0] == '#' && bytes[1] == '!') {
      return "a script";
    }
    return "not an executable (no ELF header)";
  }

  /**
   * The program interpreter (dynamic loader) a file asks for: present for dynamically linked
   * binaries, which run only on images that have that loader and C library.
   *
   * @param file an ELF file
   * @return the interpreter, like {@code /lib64/ld-linux-x86-64.so.2}, or empty when the file is
   *     statically linked or not ELF
   * @throws IOException if the file cannot be read
   */
  public static Optional<String> interpreter(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file)) {
      ByteBuffer header = read(channel, 0, 64);
      Optional<ElfHeader> elf = parse(Arrays.copyOf(header.array(), header.limit()));
      if (elf.isEmpty() || header.limit() < 64) {
        return Optional.empty();
      }
      boolean wide = elf.get().elfClass == 2;
      header.order(elf.get().dataEncoding == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
      long phoff = wide ? header.getLong(32) : Integer.toUnsignedLong(header.getInt(28));
      int phentsize = Short.toUnsignedInt(header.getShort(wide ? 54 : 42));
      int phnum = Short.toUnsignedInt(header.getShort(wide ? 56 : 44));
      for (int i = 0; i < phnum; i++) {
        ByteBuffer ph = read(channel, phoff + (long) i * phentsize, phentsize).order(header.order());
        if (ph.limit() < (wide ? 40 : 20)) {
          break;
        }
        final int ptInterp = 3;
        if (ph.getInt(0) == ptInterp) {
          long offset = wide ? ph.getLong(8) : Integer.toUnsignedLong(ph.getInt(4));
          long size = wide ? ph.getLong(32) : Integer.toUnsignedLong(ph.getInt(16));
          ByteBuffer name = read(channel, offset, (int) Math.min(size, 4096));
          String text = new String(name.array(), 0, name.limit(), StandardCharsets.UTF_8);
          int nul = text.indexOf('\0');
          return Optional.of(nul >= 0 ? text.substring(0, nul) : text);
        }
      }
      return Optional.empty();
    }
  }

  private static ByteBuffer read(FileChannel channel, long position, int length)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining() && channel.read(buffer, position + buffer.position()) >= 0) {
      continue;
    }
    return buffer.flip();
  }
}
