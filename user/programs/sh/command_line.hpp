// The shell's pure logic, apart from all I/O so the host tests run it:
// splitting a line into a command (arguments.hpp splits the words,
// double quotes for spaces), pipelines, redirections, the trailing '&' of
// a background job, which words are built-ins, and the table of
// background jobs.
//
// Redirections: an unquoted word that starts with "<", ">" or ">>" names
// the stage's stdin (a file to read), or its stdout (a file replaced, or
// appended to): the file is the rest of the word ("<in", ">out") or, if
// that is empty, the next word ("< in", ">> log"). Anywhere in a stage,
// at most one of each; stdin only for the first stage of a pipeline and
// stdout only for the last (the pipe has the others). "a>b" is a word.
#pragma once

#include "abi/syscalls.hpp"
#include "base/result.hpp"
#include "arguments.hpp"

namespace mote::user {

enum class CommandLineFault : u8 {
    None,
    Words,
    NothingToRun,
    EmptyStage,
    TooManyStages,
    UnknownCapability,
    MissingInputFile,       // "<" with no file name after it
    MissingOutputFile,      // ">"
    MissingAppendFile,      // ">>"
    DuplicateRedirection,   // two "<", or two of ">" and ">>", in one stage
    InputInPipe,            // "<" on a stage that reads the pipe
    OutputInPipe,           // ">" or ">>" on a stage that writes the pipe
};
inline constexpr usize kCommandLineFaultCount = 12;
const char* command_line_fault_name(CommandLineFault fault);
// What the shell tells the person: "missing file name after >".
const char* command_line_fault_message(CommandLineFault fault);

// One program of a pipeline: `count` argument words, the first (the
// command) at words[first]; `words` has a bit set for each of them (a
// redirection between them is not an argument: stage_word skips it). The
// "+cap" words that asked for capabilities (caps_policy.hpp's CapBits) are
// not arguments either.
struct Stage {
    usize first = 0;
    usize count = 0;
    u32 caps = 0;
    u32 words = 0;
    StringView input;   // "< FILE": the file stdin reads, or empty
    StringView output;  // "> FILE" / ">> FILE": the file stdout writes, or empty
    bool append = false;  // ">>": write at the end, keeping what is there
};

struct CommandLine {
    static constexpr usize kMaxStages = 8;

    Arguments words;
    bool background = false;  // ended in '&'
    // `a | b | c`: the stages, split at words that are exactly "|"; each
    // one's stdout feeds the next one's stdin through a channel.
    Stage stages[kMaxStages];
    usize stage_count = 0;
};

// Malformed if the words cannot be split (`words_fault` says why), the
// line is only '&', a stage of a pipeline is empty, there are more than
// kMaxStages, or a "+name" names no capability. An empty or blank line is
// a CommandLine with no words and no stages.
Result<CommandLine> parse_command_line(StringView line, CommandLineFault* fault = nullptr,
                                       ArgumentsFault* words_fault = nullptr);

// Argument `i` (0: the command) of `stage`.
StringView stage_word(const CommandLine& command, const Stage& stage, usize i);

enum class Builtin : u8 { None, Cd, Exit, Help, Jobs, Kill, Pwd };
Builtin find_builtin(StringView word);
// The names find_builtin knows, for completion (sorted).
Span<const StringView> builtin_names();

// Where a command's program is found: "bin/<name>" under the root, the
// word itself under the working directory if it names a path (has a '/'),
// or, for "/x", x under the root. Writes into `storage`; returns the view,
// empty if it did not fit (or names only "/").
struct ProgramPath {
    StringView path;
    bool under_root = true;
};
ProgramPath program_path(StringView command, Span<char> storage);

// The background jobs: child handles by small job numbers (1, 2, ...),
// the lowest free number reused first.
class JobTable {
public:
    static constexpr usize kMaxJobs = 8;
    static constexpr usize kNameMax = 32;

    struct Job {
        u32 id = 0;  // 0: slot free
        abi::Handle handle = abi::kNoHandle;
        char name[kNameMax] {};
    };

    // The new job's number; TooMany (as Busy) when full.
    Result<u32> add(abi::Handle handle, StringView name);
    const Job* find(u32 id) const;
    const Job* find_handle(abi::Handle handle) const;
    void remove(u32 id);
    usize count() const;
    const Job& slot(usize i) const { return m_jobs[i]; }

private:
    Job m_jobs[kMaxJobs];
};

}  // namespace mote::user
