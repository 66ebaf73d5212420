package dev.hotreload.core.build;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GoBuildScriptTest {

  @Test
  void wordsUndoTheGoCommandsQuoting() {
    assertThat(GoBuildScript.words(
        "GOROOT='' /go/pkg/tool/linux_amd64/link -o $WORK/b001/exe/a.out "
            + "-trimpath \"/src/a b=>example.com/x;$WORK/b001=>\" \"tab\\there\" \"\\x41\\u00e9\""))
        .containsExactly("GOROOT=", "/go/pkg/tool/linux_amd64/link", "-o",
            "$WORK/b001/exe/a.out", "-trimpath", "/src/a b=>example.com/x;$WORK/b001=>",
            "tab\there", "Aé");
  }

  @Test
  void readsPackagesFilesAndTheLink() {
    GoBuildScript script = GoBuildScript.parse("""
        mkdir -p $WORK/b002/

        #
        # example.com/x/lib
        #

        cat >$WORK/b002/importcfg << 'EOF' # internal
        # import config
        packagefile fmt=/cache/fmt-d
        EOF
        cat >$WORK/b002/embedcfg << 'EOF' # internal
        {"Files": {"a.txt": "/src/lib/a.txt"}}EOF
        cd /src
        /go/pkg/tool/linux_amd64/compile -o $WORK/b002/_pkg_.a -p example.com/x/lib -importcfg $WORK/b002/importcfg -embedcfg $WORK/b002/embedcfg -pack ./lib/lib.go
        go tool buildid -w $WORK/b002/_pkg_.a # internal

        #
        # example.com/x/consts
        #

        echo '# import config' > $WORK/b004/importcfg # internal
        cd /src
        /go/pkg/tool/linux_amd64/compile -o $WORK/b004/_pkg_.a -p example.com/x/consts -importcfg $WORK/b004/importcfg -pack ./consts/c.go

        #
        # example.com/x/asm
        #

        echo -n > $WORK/b003/go_asm.h # internal
        /go/pkg/tool/linux_amd64/compile -o $WORK/b003/_pkg_.a -p example.com/x/asm ./asm/a.go
        /go/pkg/tool/linux_amd64/asm -p example.com/x/asm ./asm/a_amd64.s
        cat >$WORK/b001/importcfg.link << 'EOF' # internal
        packagefile example.com/x/lib=$WORK/b002/_pkg_.a
        modinfo "x\\ty"
        EOF
        cd .
        GOROOT='' /go/pkg/tool/linux_amd64/link -o $WORK/b001/exe/a.out -importcfg $WORK/b001/importcfg.link -buildid=a/b/c/d $WORK/b001/_pkg_.a
        """);
    GoBuildScript.PackageAction lib = script.packages().get("example.com/x/lib");
    assertThat(lib.directory()).isEqualTo("/src");
    assertThat(lib.onlyCompile()).isTrue();
    assertThat(lib.files().get("$WORK/b002/importcfg"))
        .isEqualTo("# import config\npackagefile fmt=/cache/fmt-d\n");
    assertThat(lib.files().get("$WORK/b002/embedcfg"))
        .isEqualTo("{\"Files\": {\"a.txt\": \"/src/lib/a.txt\"}}");
    assertThat(lib.flag("-importcfg")).contains("$WORK/b002/importcfg");
    assertThat(script.packages().get("example.com/x/asm").onlyCompile()).isFalse();
    GoBuildScript.PackageAction consts = script.packages().get("example.com/x/consts");
    assertThat(consts.onlyCompile()).isTrue();
    assertThat(consts.files()).containsEntry("$WORK/b004/importcfg", "# import config\n");
    GoBuildScript.LinkAction link = script.link().orElseThrow();
    assertThat(link.env()).containsEntry("GOROOT", "");
    assertThat(link.directory()).isEqualTo(".");
    assertThat(link.importcfg()).contains("modinfo \"x\\ty\"\n");
    assertThat(link.args()).endsWith("$WORK/b001/_pkg_.a");
  }
}
