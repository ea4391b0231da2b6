// sh: Mote's shell as a user program.
//
// It edits lines itself on the raw console (line_editor.hpp:
// backspace, Ctrl-U, Ctrl-C, arrows, history; Tab completes the word
// before the cursor, completion.hpp: a command from the built-ins and bin/,
// a later word from the file names of its directory, and lists the
// choices when there are several and nothing to add), splits them into words
// (double quotes keep spaces), and runs bin/<command> under the root
// directory with its stdin, stdout, stderr, working directory and root.
// Built-ins: cd, pwd, exit, help, jobs, kill. A line is a list of
// commands joined by `;`, `&&`, `||` and `&` (command_list.hpp); `$?` is
// the status of the last command (0 success, an exit status, 128 + the
// signal for a kill, 139 for a fault). Ctrl-C that ends a foreground
// command ends the rest of its line too. `< file`, `> file` and `>> file`
// give a command (the first and last of a pipeline) a file as stdin or
// stdout; "/x" is x under the root, anything else is relative to the
// working directory. A line ending in '&' runs in the background as a job; `kill` signals jobs, the only processes a shell can
// name (there are no global process ids: a process holds handles to its
// own children only).
//
// `sh -rc` (init starts the first shell so) first runs etc/rc's lines as
// if they were typed, each shown as `rc: LINE`: the services a
// machine starts at boot (httpd in the background). Lines starting with
// '#' are comments; a line the shell refuses is reported and skipped.
//
// While a foreground job runs, the shell names it to the terminal
// (sys::foreground) and waits: the console then turns Ctrl-C into
// Signal::Interrupt for the job, the job may read the console itself (cat
// with no file), and keys it does not read wait for the next prompt.
#include "command_line.hpp"
#include "command_list.hpp"
#include "completion.hpp"
#include "runtime.hpp"
#include "line_editor.hpp"
#include "working_path.hpp"

using namespace mote;
using namespace mote::user;

namespace {

// Whether two handles reach the same directory: a handle's value says
// nothing (each spawn copies handles to new values), but its node's stat
// does, down to the inode number and the times.
bool same_directory(Handle a, Handle b) {
    if (a == b) return true;
    abi::Stat x {}, y {};
    if (sys::stat(a, x).is_error() || sys::stat(b, y).is_error()) return false;
    return x.inode == y.inode && x.type == y.type && x.mode == y.mode && x.size == y.size && x.links == y.links &&
           x.mtime_ns == y.mtime_ns && x.ctime_ns == y.ctime_ns;
}

class Shell {
public:
    Shell(Handle in, Handle out, Handle err, Handle cwd, Handle root)
        : m_in(in), m_out(out), m_err(err), m_root(root), m_cwd(cwd) {
        // A working directory handed down has no name here unless it is
        // the root (init passes its root as both): pwd says so, and cd
        // with an absolute path gives it one.
        m_path_length = same_directory(cwd, root) ? 1 : 0;
        m_path[0] = '/';
    }

    // `rc`: run etc/rc after the welcome text, before the first prompt.
    int run(bool rc);
    // Runs each line of etc/rc (at most kRcBytes of it).
    void run_rc();

private:
    // How a command ended: `code` is what $? shows.
    struct Status {
        i32 code = 0;
        bool interrupted = false;  // ended by Ctrl-C: the rest of the line is dropped
    };

    void prompt();
    void run_line(StringView line);
    Status run_command(StringView text);
    Status run_pipeline(const CommandLine& command);
    SysOr<Handle> start_stage(const CommandLine& command, const Stage& stage, Handle in, Handle out);
    // Where a path typed at the prompt is: "/x" under the root, else under
    // the working directory.
    PathAt at(StringView path) const;
    SysOr<Handle> open_redirection(StringView file, u64 flags);
    Status builtin(Builtin which, const Arguments& words);
    Status change_directory(const Arguments& words);
    Status print_directory();
    Status kill_job(const Arguments& words);
    void list_jobs();
    Status wait_foreground(const Handle* children, usize count, const StringView* names);
    void reap(Handle child);
    void feed(u8 byte);
    void complete();
    enum class Offer : u8 { Everything, Programs, Directories };
    void offer_entries(CompletionSet& set, Handle dir, StringView prefix, Offer what);
    void list_candidates(CompletionSet& set);

    Handle m_in, m_out, m_err, m_root, m_cwd;
    // The working directory's absolute path (working_path.hpp); length 0:
    // unknown (inherited).
    char m_path[256];
    usize m_path_length = 1;
    i32 m_status = 0;  // $?
    LineEditor m_editor;
    JobTable m_jobs;
    bool m_exit = false;
    CapsPolicy m_policy;
};

void echo_to_console(StringView text, void* context) { (void)write_all(*static_cast<Handle*>(context), text); }

void Shell::prompt() { (void)write_all(m_out, "$ "); }

void Shell::run_rc() {
    static constexpr usize kRcBytes = 4096;
    auto rc = sys::open(m_root, "etc/rc", abi::kOpenRead);
    if (rc.is_error()) return;  // a root without one starts nothing
    static char text[kRcBytes];
    auto n = sys::read(rc.value(), text, sizeof(text), 0);
    (void)sys::close(rc.value());
    if (n.is_error()) {
        print(m_err, "sh: etc/rc: {}\n", n.error());
        return;
    }
    if (n.value() == sizeof(text)) print(m_err, "sh: etc/rc: only its first {} bytes are run\n", kRcBytes);
    StringView all(text, n.value());
    usize start = 0;
    while (start < all.length() && !m_exit) {
        usize end = start;
        while (end < all.length() && all[end] != '\n') ++end;
        StringView line = all.substr(start, end - start);
        start = end + 1;
        usize first = 0;
        while (first < line.length() && (line[first] == ' ' || line[first] == '\t')) ++first;
        if (first == line.length() || line[first] == '#') continue;
        print(m_out, "rc: {}\n", line);
        run_line(line);
    }
}

int Shell::run(bool rc) {
    if (auto policy = load_caps_policy(m_root); policy.ok()) m_policy = policy.value();
    else print(m_err, "sh: etc/caps: {}; programs get only the capabilities a line asks for (+CAP)\n", policy.error());
    m_editor.set_echo(echo_to_console, &m_out);
    m_editor.set_prompt("$ ");
    // The welcome text, if the root has one.
    auto motd = sys::open(m_root, "etc/motd", abi::kOpenRead);
    if (motd.ok()) {
        char text[512];
        auto n = sys::read(motd.value(), text, sizeof(text), 0);
        if (n.ok()) (void)write_all(m_out, StringView(text, n.value()));
        (void)sys::close(motd.value());
    }
    if (rc) run_rc();
    // A shell started from another shell is that shell's foreground job:
    // at this prompt Ctrl-C is a key for the line editor, not an interrupt
    // that would end this shell. (Not a terminal: nothing to clear.)
    (void)sys::foreground(m_in, nullptr, 0);
    prompt();
    while (!m_exit) {
        abi::PollItem items[1 + JobTable::kMaxJobs] {};
        usize count = 0;
        items[count++] = {m_in, abi::kPollReadable, 0, 0};
        for (usize i = 0; i < JobTable::kMaxJobs; ++i)
            if (m_jobs.slot(i).id) items[count++] = {m_jobs.slot(i).handle, abi::kPollExited, 0, 0};
        auto ready = sys::poll(items, count, kForever);
        if (ready.is_error()) {
            print(m_err, "sh: poll: {}\n", ready.error());
            return 1;
        }
        for (usize i = 1; i < count; ++i)
            if (items[i].ready & abi::kPollExited) reap(items[i].handle);
        if (items[0].ready & (abi::kPollReadable | abi::kPollHangup)) {
            // One byte at a time, as bash reads a terminal: whatever follows
            // a finished line (pasted, typed ahead) stays in the console
            // for the command that line starts, which may read it (cat).
            u8 byte = 0;
            auto n = sys::read(m_in, &byte, 1);
            if (n.is_error()) {
                print(m_err, "sh: read: {}\n", n.error());
                return 1;
            }
            if (n.value() == 0) return 0;  // end of input
            feed(byte);
        }
    }
    return 0;
}

void Shell::feed(u8 byte) {
    switch (m_editor.feed(byte)) {
    case LineEditor::Event::Line: {
        char line[LineEditor::kMaxLine];
        usize length = m_editor.line().length();
        mem_copy(line, m_editor.line().data(), length);
        bool bad = m_editor.garbage() || m_editor.overlong();
        m_editor.reset();
        if (bad) print(m_err, "sh: line has unreadable or too many characters; ignored\n");
        else run_line(StringView(line, length));
        if (!m_exit) prompt();
        return;
    }
    case LineEditor::Event::Cancelled:
        m_editor.reset();
        prompt();
        return;
    case LineEditor::Event::Complete: complete(); return;
    case LineEditor::Event::None: return;
    }
}

// Tab: completes the word before the cursor. What to do is decided in
// completion.hpp; here are only the directories it reads.
void Shell::complete() {
    const StringView line = m_editor.line();
    const usize cursor = m_editor.cursor();
    auto word = find_completion_word(line, cursor);
    if (word.is_error()) {
        (void)write_all(m_out, "\a");
        return;
    }
    CompletionSet set(word.value().name);
    if (word.value().kind == WordKind::Command) {
        for (StringView name : builtin_names()) set.offer(name, false);
        // What start_stage runs: bin/<name> under the root.
        auto bin = sys::open(m_root, "bin", abi::kOpenRead | abi::kOpenDirectory);
        if (bin.ok()) {
            offer_entries(set, bin.value(), word.value().name, Offer::Programs);
            (void)sys::close(bin.value());
        }
    } else {
        CompletionDirectory where = completion_directory(word.value());
        auto dir = sys::open(where.from_root ? m_root : m_cwd, where.path, abi::kOpenRead | abi::kOpenDirectory);
        if (dir.ok()) {
            // cd's argument can only be a directory.
            Offer what = word.value().command == "cd" ? Offer::Directories : Offer::Everything;
            offer_entries(set, dir.value(), word.value().name, what);
            (void)sys::close(dir.value());
        }
    }
    char storage[LineEditor::kMaxLine];
    Completion result = decide_completion(line, cursor, word.value(), set, Span<char>(storage, sizeof(storage)));
    switch (result.action) {
    case CompletionAction::Nothing: (void)write_all(m_out, "\a"); return;
    case CompletionAction::Replace: m_editor.replace(result.line, result.cursor); return;
    case CompletionAction::List: list_candidates(set); return;
    }
}

// Offers `dir`'s entries that start with `prefix`: all of them, all but
// directories (bin/ for a command), or only directories (for cd). A
// symlink is a directory if its target is.
void Shell::offer_entries(CompletionSet& set, Handle dir, StringView prefix, Offer what) {
    constexpr usize kBatch = 8;
    abi::DirEntry entries[kBatch];
    u64 index = 0;
    for (;;) {
        auto n = sys::readdir(dir, entries, kBatch, index);
        if (n.is_error() || n.value() == 0) return;
        for (usize i = 0; i < n.value() && i < kBatch; ++i) {
            StringView name(entries[i].name, min<usize>(entries[i].name_length, abi::kNameMax));
            if (!name.starts_with(prefix)) continue;
            auto type = abi::NodeType(entries[i].type);
            bool directory = type == abi::NodeType::Directory;
            if (type == abi::NodeType::Symlink) {
                auto target = sys::open(dir, name, abi::kOpenRead | abi::kOpenDirectory);
                directory = target.ok();
                if (target.ok()) (void)sys::close(target.value());
            }
            if ((what == Offer::Programs && directory) || (what == Offer::Directories && !directory)) continue;
            set.offer(name, directory);
        }
        index += n.value();
    }
}

// Several matches and nothing to add: they are shown under the line in
// columns (for an 80-column terminal: the console cannot tell its width),
// then the prompt and the line again.
void Shell::list_candidates(CompletionSet& set) {
    static constexpr usize kScreenWidth = 80;
    set.sort();
    ColumnLayout layout = lay_out_columns(set, kScreenWidth);
    (void)write_all(m_out, "\n");
    for (usize row = 0; row < layout.rows; ++row) {
        // One column of the widest name (255 bytes and '/'), or several
        // within the screen's width.
        char text[CompletionSet::kMaxName + kScreenWidth];
        FormatBuffer out(Span<char>(text, sizeof(text)));
        for (usize column = 0; column < layout.columns; ++column) {
            usize i = column * layout.rows + row;
            if (i >= set.kept()) break;
            out.append(set.name(i));
            usize shown = set.name(i).length();
            if (set.directory(i)) {
                out.append('/');
                ++shown;
            }
            if (column + 1 < layout.columns && i + layout.rows < set.kept())
                out.append_repeated(' ', layout.width - shown);
        }
        out.append('\n');
        (void)write_all(m_out, out.view());
    }
    if (!set.complete_list()) print(m_out, "(and {} more)\n", set.matches() - set.kept());
    m_editor.redraw();
}

void Shell::run_line(StringView line) {
    CommandListFault list_fault;
    auto list = split_command_list(line, &list_fault);
    if (list.is_error()) {
        print(m_err, "sh: {}\n", command_list_fault_message(list_fault));
        m_status = 2;
        return;
    }
    for (usize i = 0; i < list.value().count; ++i) {
        const ListItem& item = list.value().items[i];
        Status status = run_command(item.text);
        m_status = status.code;
        if (status.interrupted || m_exit) return;
        // `a && b || c`: each connector looks at the status of the command
        // that ran last, so a skipped command passes that status on.
        while (i < list.value().count && !runs_next(list.value().items[i].next, m_status == 0)) {
            if (list.value().items[i].next == Connector::End) return;
            ++i;
        }
    }
}

// $? in `text` replaced by the last status.
static StringView expand_status(StringView text, i32 status, Span<char> storage) {
    FormatBuffer out(storage);
    for (usize i = 0; i < text.length(); ++i) {
        if (text[i] == '$' && i + 1 < text.length() && text[i + 1] == '?') {
            format_append(out, "{}", status);
            ++i;
        } else {
            out.append(text[i]);
        }
    }
    return out.view();
}

Shell::Status Shell::run_command(StringView text) {
    char expanded[LineEditor::kMaxLine + 32];
    StringView line = expand_status(text, m_status, Span<char>(expanded, sizeof(expanded)));
    if (line.length() + 1 >= sizeof(expanded)) {
        print(m_err, "sh: the line is too long once $? is expanded\n");
        return {2, false};
    }
    CommandLineFault fault;
    ArgumentsFault words_fault;
    auto parsed = parse_command_line(line, &fault, &words_fault);
    if (parsed.is_error()) {
        if (fault == CommandLineFault::Words) print(m_err, "sh: {}\n", arguments_fault_name(words_fault));
        else print(m_err, "sh: {}\n", command_line_fault_message(fault));
        return {2, false};
    }
    const CommandLine& command = parsed.value();
    if (command.stage_count == 0) return {m_status, false};
    const Stage& first = command.stages[0];
    Builtin which = find_builtin(command.words[first.first]);
    if (which != Builtin::None && command.stage_count == 1 && first.first == 0) {
        if (!first.input.empty() || !first.output.empty()) {
            print(m_err, "sh: {}: a built-in cannot be redirected\n", command.words[first.first]);
            return {2, false};
        }
        return builtin(which, command.words);
    }
    return run_pipeline(command);
}

SysOr<Handle> Shell::start_stage(const CommandLine& command, const Stage& stage, Handle in, Handle out) {
    StringView name = command.words[stage.first];
    if (find_builtin(name) != Builtin::None) {
        print(m_err, "sh: {}: a built-in cannot run in a pipeline\n", name);
        return abi::Err::InvalidArgument;
    }
    char storage[256];
    ProgramPath program = program_path(name, Span<char>(storage, sizeof(storage)));
    if (program.path.empty()) {
        print(m_err, "sh: {}: name too long\n", name);
        return abi::Err::InvalidArgument;
    }
    StringView argv[Arguments::kMaxWords];
    for (usize i = 0; i < stage.count; ++i) argv[i] = stage_word(command, stage, i);
    Handle handles[abi::kStartHandleCount] = {in, out, m_err, m_cwd, m_root};
    // What etc/caps grants this program, and what the line asked for.
    pass_caps(m_policy.caps_for(name) | stage.caps, handles);
    auto child = spawn(program.under_root ? m_root : m_cwd, program.path, Span<const StringView>(argv, stage.count),
                       Span<const Handle>(handles, abi::kStartHandleCount));
    if (child.is_error()) {
        if (child.error() == abi::Err::NotFound) print(m_err, "sh: {}: not found\n", name);
        else print(m_err, "sh: {}: {}\n", name, child.error());
    }
    return child;
}

PathAt Shell::at(StringView path) const {
    if (!path.starts_with("/")) return {m_cwd, path};
    usize skip = 0;
    while (skip < path.length() && path[skip] == '/') ++skip;
    return {m_root, skip == path.length() ? StringView(".") : path.substr(skip)};
}

SysOr<Handle> Shell::open_redirection(StringView file, u64 flags) {
    PathAt where = at(file);
    auto opened = sys::open(where.dir, where.path, flags);
    if (opened.is_error()) print(m_err, "sh: {}: {}\n", file, opened.error());
    return opened;
}

Shell::Status Shell::run_pipeline(const CommandLine& command) {
    Handle children[CommandLine::kMaxStages];
    StringView names[CommandLine::kMaxStages];
    usize started = 0;
    // Redirections first: if a file cannot be opened, nothing runs.
    const Stage& first = command.stages[0];
    const Stage& last_stage = command.stages[command.stage_count - 1];
    Handle input = m_in;
    Handle output = m_out;
    if (!first.input.empty()) {
        auto opened = open_redirection(first.input, abi::kOpenRead);
        if (opened.is_error()) return {1, false};
        input = opened.value();
    }
    if (!last_stage.output.empty()) {
        u64 flags = abi::kOpenWrite | abi::kOpenCreate | (last_stage.append ? abi::kOpenAppend : abi::kOpenTruncate);
        auto opened = open_redirection(last_stage.output, flags);
        if (opened.is_error()) {
            if (input != m_in) (void)sys::close(input);
            return {1, false};
        }
        output = opened.value();
    }
    Handle in = input;  // the next stage's stdin
    for (usize i = 0; i < command.stage_count; ++i) {
        const Stage& stage = command.stages[i];
        Handle ends[2] = {kNoHandle, kNoHandle};
        bool last = i + 1 == command.stage_count;
        if (!last) {
            if (auto made = sys::channel_create(ends); made.is_error()) {
                print(m_err, "sh: pipe: {}\n", made.error());
                break;
            }
        }
        auto child = start_stage(command, stage, in, last ? output : ends[0]);
        // The children hold their own ends now: the shell keeps none, so a
        // stage sees the end of its input when the one before it is gone.
        if (in != m_in) (void)sys::close(in);
        if (!last) (void)sys::close(ends[0]);
        in = last ? m_in : ends[1];
        if (child.is_error()) break;
        names[started] = command.words[stage.first];
        children[started++] = child.value();
    }
    if (in != m_in) (void)sys::close(in);
    // The children hold their own copies of the files.
    if (output != m_out) (void)sys::close(output);
    // A stage that could not start (not found: 127, as in sh) fails the
    // line; the ones before it still run and are waited for.
    const bool all_started = started == command.stage_count;
    if (started == 0) return {127, false};
    if (command.background) {
        // A job is its last stage; the others run on unobserved.
        for (usize i = 0; i + 1 < started; ++i) (void)sys::close(children[i]);
        Handle job = children[started - 1];
        auto id = m_jobs.add(job, names[started - 1]);
        if (id.is_error()) {
            // No room to track it: run it in the foreground instead.
            print(m_err, "sh: too many jobs; running {} in the foreground\n", names[started - 1]);
            return wait_foreground(&job, 1, &names[started - 1]);
        }
        print(m_out, "[{}] {}\n", id.value(), names[started - 1]);
        return {all_started ? 0 : 127, false};
    }
    Status status = wait_foreground(children, started, names);
    if (!all_started && !status.interrupted) status.code = 127;
    return status;
}

// The status is the last child's, as a pipeline's is in sh.
Shell::Status Shell::wait_foreground(const Handle* children, usize count, const StringView* names) {
    // The terminal itself turns Ctrl-C into Signal::Interrupt for these
    // children (sys::foreground), so the shell only waits: a child may read
    // the console as it likes, and what is typed meanwhile stays there for
    // whoever reads next (the next prompt). Not a terminal (stdin is a file
    // or a pipe): there is no Ctrl-C to pass on.
    const bool terminal = sys::foreground(m_in, children, count).ok();
    Status status;
    for (usize i = 0; i < count; ++i) {
        abi::ExitInfo info {};
        auto waited = sys::wait(children[i], info, kForever);
        if (waited.is_error()) {
            print(m_err, "sh: wait: {}\n", waited.error());
            status.code = 1;
        } else {
            switch (abi::ExitReason(info.reason)) {
            case abi::ExitReason::Exited: status.code = info.status; break;
            case abi::ExitReason::Killed: status.code = 128 + info.status; break;
            case abi::ExitReason::Fault: status.code = 139; break;
            default: status.code = 1; break;
            }
            if (abi::ExitReason(info.reason) == abi::ExitReason::Killed && info.status == i32(abi::Signal::Interrupt))
                status.interrupted = true;
            char text[128];
            FormatBuffer out(Span<char>(text, sizeof(text)));
            if (!describe_exit(info, out)) {
                if (count > 1) print(m_out, "{}: {}\n", names[i], out.view());
                else print(m_out, "{}\n", out.view());
            }
        }
        (void)sys::close(children[i]);
    }
    // Ctrl-C is the line editor's again.
    if (terminal) (void)sys::foreground(m_in, nullptr, 0);
    return status;
}

void Shell::reap(Handle child) {
    const JobTable::Job* job = m_jobs.find_handle(child);
    if (!job) return;
    abi::ExitInfo info {};
    if (sys::wait(child, info, 0).is_error()) return;
    char text[128];
    FormatBuffer out(Span<char>(text, sizeof(text)));
    if (describe_exit(info, out)) out.append("[exit 0]");
    // A fresh line: the job ended while the user may be typing.
    print(m_out, "\n[{}] done {} {}\n", job->id, job->name, out.view());
    (void)sys::close(child);
    m_jobs.remove(job->id);
    m_editor.redraw();
}

Shell::Status Shell::builtin(Builtin which, const Arguments& words) {
    switch (which) {
    case Builtin::Cd: return change_directory(words);
    case Builtin::Pwd: return print_directory();
    case Builtin::Exit: m_exit = true; return {};
    case Builtin::Help:
        print(m_out,
              "built-ins: cd [DIR], pwd, exit, help, jobs, kill [-int|-notify] JOB\n"
              "programs: ls bin\n"
              "A | B pipes A's output into B; COMMAND & runs it in the background;\n"
              "A ; B runs both, A && B runs B if A succeeded, A || B if it failed; $? is the last status;\n"
              "COMMAND < FILE reads FILE, > FILE writes it, >> FILE appends to it (/tmp is writable);\n"
              "+CAP COMMAND also hands it the capability CAP (power, log, audit, dev; see etc/caps);\n"
              "Tab completes a command or file name, or lists the names that fit;\n"
              "Up/Down recall earlier lines; Ctrl-C interrupts the foreground programs\n");
        return {};
    case Builtin::Jobs: list_jobs(); return {};
    case Builtin::Kill: return kill_job(words);
    case Builtin::None: return {};
    }
    return {};
}

Shell::Status Shell::change_directory(const Arguments& words) {
    if (words.count() > 2) {
        print(m_err, "usage: cd [DIR]\n");
        return {2, false};
    }
    // By name from the root: the handle of the working directory cannot
    // reach its parent, the path can (working_path.hpp).
    StringView target = words.count() == 2 ? words[1] : StringView("/");
    if (m_path_length == 0 && !target.starts_with("/")) {
        print(m_err, "cd: {}: the working directory was inherited without its name; give a path from /\n", target);
        return {1, false};
    }
    char resolved[sizeof(m_path)];
    StringView current = m_path_length ? StringView(m_path, m_path_length) : StringView("/");
    auto path = resolve_directory(current, target, Span<char>(resolved, sizeof(resolved)));
    if (path.is_error()) {
        print(m_err, "cd: {}: path too long\n", target);
        return {1, false};
    }
    Handle next = m_root;
    if (path.value() != "/") {
        auto opened = sys::open(m_root, below_root(path.value()), abi::kOpenRead | abi::kOpenDirectory);
        if (opened.is_error()) {
            print(m_err, "cd: {}: {}\n", target, opened.error());
            return {1, false};
        }
        next = opened.value();
    }
    if (m_cwd != m_root) (void)sys::close(m_cwd);
    m_cwd = next;
    mem_copy(m_path, path.value().data(), path.value().length());
    m_path_length = path.value().length();
    return {};
}

Shell::Status Shell::print_directory() {
    if (m_path_length == 0) {
        print(m_err, "pwd: the working directory was inherited without its name\n");
        return {1, false};
    }
    print(m_out, "{}\n", StringView(m_path, m_path_length));
    return {};
}

void Shell::list_jobs() {
    for (usize i = 0; i < JobTable::kMaxJobs; ++i) {
        const JobTable::Job& job = m_jobs.slot(i);
        if (job.id) print(m_out, "[{}] {}\n", job.id, job.name);
    }
}

Shell::Status Shell::kill_job(const Arguments& words) {
    usize at = 1;
    abi::Signal signal = abi::Signal::Terminate;
    if (words.count() > 1 && words[1] == "-int") {
        signal = abi::Signal::Interrupt;
        ++at;
    } else if (words.count() > 1 && words[1] == "-notify") {
        signal = abi::Signal::Notify;
        ++at;
    }
    if (words.count() != at + 1) {
        print(m_err, "usage: kill [-int|-notify] JOB   (JOB as jobs lists it: 1 or %1)\n");
        return {2, false};
    }
    StringView text = words[at];
    if (text.starts_with("%")) text = text.substr(1);
    auto id = parse_u64(text);
    const JobTable::Job* job = id.ok() && id.value() <= 0xffffffffu ? m_jobs.find(u32(id.value())) : nullptr;
    if (!job) {
        print(m_err, "kill: {}: no such job\n", words[at]);
        return {1, false};
    }
    auto sent = sys::signal(job->handle, signal);
    if (sent.is_error()) {
        print(m_err, "kill: {}\n", sent.error());
        return {1, false};
    }
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    if (root_dir() == kNoHandle) {
        print_err("sh: started without a root directory handle\n");
        return 1;
    }
    Handle cwd = working_dir() != kNoHandle ? working_dir() : root_dir();
    static Shell shell(std_in(), std_out(), std_err(), cwd, root_dir());
    const bool rc = argc == 2 && StringView(argv[1]) == "-rc";
    if (argc > 1 && !rc) {
        print_err("usage: sh [-rc]\n");
        return 2;
    }
    return shell.run(rc);
}
