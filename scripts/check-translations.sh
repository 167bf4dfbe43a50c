#!/usr/bin/env bash
# check-translations: fails when a UI text in use has no German translation. It collects every
# msgid from {{_ ...}} in templates/**/*.html (whitespace runs count as one space, as in the
# template engine) and every string literal passed to i18n_get(lang, "..."), i18n_get_ctx(lang,
# ctx, "..."), page_t(req, "..."), page_tn(req, "...", n) or T("...") in src/ or marked
# N_("...") (core/i18n_mark.h; adjacent literals are joined), and checks that locale/de.po has
# a non-empty, non-fuzzy msgstr for each (entries with msgctxt do not count for plain msgids).
# usage: scripts/check-translations.sh [ROOT]   exit 0 = complete, 1 = missing, 2 = error
set -euo pipefail
root="${1:-$(dirname "$0")/..}"
cd "$root"
[ -f locale/de.po ] || { echo "check-translations: locale/de.po not found" >&2; exit 2; }
exec perl -e '
use strict;
use warnings;
use File::Find;

sub fail { print STDERR "check-translations: $_[0]"; exit 2; }

sub c_unescape {
    my ($s) = @_;
    my %map = (n => "\n", t => "\t", r => "\r", "\"" => "\"", "\\" => "\\", a => "\a",
               f => "\f", v => "\x0b", b => "\b", "\x27" => "\x27", "?" => "?");
    $s =~ s/\\(.)/exists $map{$1} ? $map{$1} : "\\$1"/ge;
    return $s;
}

# --- read locale/de.po: msgid => msgstr, usable ones only
my (%translated, %entry, $field);
my $fuzzy = 0;
sub po_flush {
    if (defined $entry{msgstr} && defined $entry{msgid} && !$fuzzy && $entry{msgstr} ne "") {
        my $key = defined $entry{msgctxt} ? "$entry{msgctxt}\x04$entry{msgid}" : $entry{msgid};
        $translated{$key} = 1;
    }
    %entry = (); $field = undef; $fuzzy = 0;
}
open(my $po, "<", "locale/de.po") or fail("locale/de.po: $!\n");
while (my $line = <$po>) {
    $line =~ s/\r?\n$//;
    if ($line =~ /^\s*$/) { po_flush() if defined $entry{msgstr}; next; }
    if ($line =~ /^#/) {
        po_flush() if defined $entry{msgstr};
        $fuzzy = 1 if $line =~ /^#,.*\bfuzzy\b/;
        next;
    }
    if ($line =~ /^\s*(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"((?:[^"\\]|\\.)*)"\s*$/) {
        my ($kw, $text) = ($1, $2);
        po_flush() if ($kw eq "msgid" || $kw eq "msgctxt") && defined $entry{msgstr};
        $kw = "msgstr" if $kw eq "msgstr[0]";
        $field = $kw;
        $entry{$field} = c_unescape($text);
        next;
    }
    if ($line =~ /^\s*"((?:[^"\\]|\\.)*)"\s*$/ && defined $field) {
        $entry{$field} .= c_unescape($1);
        next;
    }
    fail("locale/de.po:$.: cannot parse: $line\n");
}
po_flush();
close($po);

# --- collect msgids in use: msgid => first "file:line"
my %used;
sub use_msgid {
    my ($msgid, $file, $text, $offset) = @_;
    my $line = 1 + (substr($text, 0, $offset) =~ tr/\n//);
    $used{$msgid} //= "$file:$line";
}
sub slurp { my ($f) = @_; open(my $h, "<", $f) or fail("$f: $!\n"); local $/; return <$h>; }

my (@templates, @sources);
find({ no_chdir => 1, wanted => sub { push @templates, $_ if /\.html$/ && -f } }, "templates")
    if -d "templates";
find({ no_chdir => 1, wanted => sub { push @sources, $_ if /\.[ch]$/ && -f } }, "src")
    if -d "src";

for my $file (sort @templates) {
    my $text = slurp($file);
    # a tag ends at the first "}}" not followed by another "}", as in the engine
    while ($text =~ /\{\{(.*?)\}\}(?!\})/gs) {
        my ($tag, $at) = ($1, $-[0]);
        $tag =~ s/^\s+|\s+$//g;
        next unless $tag =~ /^_\s+(.*)$/s;
        (my $msgid = $1) =~ s/\s+/ /g;
        use_msgid($msgid, $file, $text, $at);
    }
}

my $lit = qr/"(?:[^"\\\n]|\\.)*"(?:\s*"(?:[^"\\\n]|\\.)*")*/;
sub literal_text {
    my ($literal) = @_;
    return join("", map { c_unescape($_) } ($literal =~ /"((?:[^"\\\n]|\\.)*)"/g));
}
my $arg = qr/[^,;()]*(?:\([^()]*\))?[^,;()]*/; # one argument, at most one nested call
for my $file (sort @sources) {
    my $text = slurp($file);
    for my $re (qr/\bi18n_get\s*\(\s*$arg,\s*($lit)\s*\)/, qr/\bpage_t\s*\(\s*$arg,\s*($lit)\s*\)/,
                qr/\bpage_tn\s*\(\s*$arg,\s*($lit)\s*,/,
                qr/\bT\s*\(\s*($lit)\s*\)/, qr/\bN_\s*\(\s*($lit)\s*\)/) {
        use_msgid(literal_text($1), $file, $text, $-[0]) while $text =~ /$re/g;
    }
    while ($text =~ /\bi18n_get_ctx\s*\(\s*$arg,\s*($lit)\s*,\s*($lit)\s*\)/g) {
        use_msgid(literal_text($1) . "\x04" . literal_text($2), $file, $text, $-[0]);
    }
}

my @missing = sort { $used{$a} cmp $used{$b} } grep { !$translated{$_} } keys %used;
my $count = scalar(keys %used);
if (@missing) {
    printf STDERR "check-translations: %d of %d texts have no German translation in locale/de.po:\n",
        scalar(@missing), $count;
    for my $m (@missing) {
        (my $shown = $m) =~ s/\\/\\\\/g;
        $shown =~ s/"/\\"/g;
        $shown =~ s/\n/\\n/g;
        $shown =~ s/\t/\\t/g;
        my $ctx = $shown =~ s/^(.*)\x04//s ? "msgctxt \"$1\" " : "";
        print STDERR "  $used{$m}: ${ctx}msgid \"$shown\"\n";
    }
    exit 1;
}
print "check-translations: all $count texts have a German translation\n";
exit 0;
'
