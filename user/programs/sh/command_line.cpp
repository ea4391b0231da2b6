#include "command_line.hpp"

#include "base/memory.hpp"
#include "caps_policy.hpp"

namespace mote::user {

Result<CommandLine> parse_command_line(StringView line, CommandLineFault* fault, ArgumentsFault* words_fault) {
    auto fail = [&](CommandLineFault why) -> Result<CommandLine> {
        if (fault) *fault = why;
        return Error::Malformed;
    };
    if (fault) *fault = CommandLineFault::None;
    // A trailing '&' outside quotes: the last non-blank character. Inside a
    // quoted word the line would end in '"' instead.
    usize end = line.length();
    while (end > 0 && line[end - 1] == ' ') --end;
    bool background = end > 0 && line[end - 1] == '&';
    if (background) {
        --end;
        bool blank = true;
        for (usize i = 0; i < end; ++i) blank &= line[i] == ' ';
        if (blank) return fail(CommandLineFault::NothingToRun);
    }
    auto words = Arguments::parse(line.substr(0, end), words_fault);
    if (words.is_error()) return fail(CommandLineFault::Words);
    CommandLine command;
    command.words = words.value();
    command.background = background;
    if (command.words.empty()) return command;
    // Split into stages at "|"; leading "+cap" words of a stage ask for
    // capabilities; "<", ">" and ">>" words name files.
    Stage stage;
    bool in_caps = true;
    const usize count = command.words.count();
    auto is_operator = [&](usize i) {
        StringView w = command.words[i];
        return !command.words.quoted(i) && (w == "|" || w.starts_with("<") || w.starts_with(">"));
    };
    for (usize i = 0; i <= count; ++i) {
        bool stage_ends = i == count || (command.words[i] == "|" && !command.words.quoted(i));
        if (stage_ends) {
            if (stage.count == 0) return fail(CommandLineFault::EmptyStage);
            if (command.stage_count == CommandLine::kMaxStages) return fail(CommandLineFault::TooManyStages);
            command.stages[command.stage_count++] = stage;
            stage = Stage {};
            in_caps = true;
            continue;
        }
        StringView word = command.words[i];
        bool quoted = command.words.quoted(i);
        if (!quoted && (word.starts_with("<") || word.starts_with(">"))) {
            bool input = word[0] == '<';
            bool append = word.starts_with(">>");
            StringView file = word.substr(append ? 2 : 1);
            if (file.empty()) {
                if (i + 1 == count || is_operator(i + 1))
                    return fail(input    ? CommandLineFault::MissingInputFile
                                : append ? CommandLineFault::MissingAppendFile
                                         : CommandLineFault::MissingOutputFile);
                file = command.words[++i];
            }
            StringView& slot = input ? stage.input : stage.output;
            if (!slot.empty()) return fail(CommandLineFault::DuplicateRedirection);
            slot = file;
            if (!input) stage.append = append;
            continue;
        }
        if (in_caps && word.length() > 1 && word[0] == '+' && !quoted) {
            u32 bit = cap_bit(word.substr(1));
            if (!bit) return fail(CommandLineFault::UnknownCapability);
            stage.caps |= bit;
            continue;
        }
        if (in_caps) {
            in_caps = false;
            stage.first = i;
        }
        stage.words |= u32(1) << i;
        ++stage.count;
    }
    // The pipe is the other stages' stdin and stdout.
    for (usize s = 0; s < command.stage_count; ++s) {
        if (s > 0 && !command.stages[s].input.empty()) return fail(CommandLineFault::InputInPipe);
        if (s + 1 < command.stage_count && !command.stages[s].output.empty()) return fail(CommandLineFault::OutputInPipe);
    }
    return command;
}

StringView stage_word(const CommandLine& command, const Stage& stage, usize i) {
    usize seen = 0;
    for (usize w = 0; w < command.words.count(); ++w) {
        if (!(stage.words & (u32(1) << w))) continue;
        if (seen++ == i) return command.words[w];
    }
    return StringView();
}

const char* command_line_fault_name(CommandLineFault fault) {
    switch (fault) {
    case CommandLineFault::None: return "None";
    case CommandLineFault::Words: return "Words";
    case CommandLineFault::NothingToRun: return "NothingToRun";
    case CommandLineFault::EmptyStage: return "EmptyStage";
    case CommandLineFault::TooManyStages: return "TooManyStages";
    case CommandLineFault::UnknownCapability: return "UnknownCapability";
    case CommandLineFault::MissingInputFile: return "MissingInputFile";
    case CommandLineFault::MissingOutputFile: return "MissingOutputFile";
    case CommandLineFault::MissingAppendFile: return "MissingAppendFile";
    case CommandLineFault::DuplicateRedirection: return "DuplicateRedirection";
    case CommandLineFault::InputInPipe: return "InputInPipe";
    case CommandLineFault::OutputInPipe: return "OutputInPipe";
    }
    return "UnknownCommandLineFault";
}

const char* command_line_fault_message(CommandLineFault fault) {
    switch (fault) {
    case CommandLineFault::None: return "no fault";
    case CommandLineFault::Words: return "the line cannot be split into words";
    case CommandLineFault::NothingToRun: return "nothing to run in the background";
    case CommandLineFault::EmptyStage: return "empty command in the pipeline";
    case CommandLineFault::TooManyStages: return "too many commands in the pipeline";
    case CommandLineFault::UnknownCapability: return "unknown capability (power, log, audit, dev)";
    case CommandLineFault::MissingInputFile: return "missing file name after <";
    case CommandLineFault::MissingOutputFile: return "missing file name after >";
    case CommandLineFault::MissingAppendFile: return "missing file name after >>";
    case CommandLineFault::DuplicateRedirection: return "more than one < or > for one command";
    case CommandLineFault::InputInPipe: return "< on a command that reads the pipe";
    case CommandLineFault::OutputInPipe: return "> on a command that writes the pipe";
    }
    return "unknown fault";
}

Builtin find_builtin(StringView word) {
    if (word == "cd") return Builtin::Cd;
    if (word == "exit") return Builtin::Exit;
    if (word == "help") return Builtin::Help;
    if (word == "jobs") return Builtin::Jobs;
    if (word == "kill") return Builtin::Kill;
    if (word == "pwd") return Builtin::Pwd;
    return Builtin::None;
}

Span<const StringView> builtin_names() {
    static constexpr StringView kNames[] = {"cd", "exit", "help", "jobs", "kill", "pwd"};
    return Span<const StringView>(kNames, sizeof(kNames) / sizeof(kNames[0]));
}

ProgramPath program_path(StringView command, Span<char> storage) {
    if (command.starts_with("/")) {
        // "/tmp/prog": below the root, whatever the working directory.
        usize skip = 0;
        while (skip < command.length() && command[skip] == '/') ++skip;
        StringView rest = command.substr(skip);
        if (rest.empty() || rest.length() > storage.size()) return {StringView(), true};
        mem_copy(storage.data(), rest.data(), rest.length());
        return {StringView(storage.data(), rest.length()), true};
    }
    bool is_path = false;
    for (char c : command) is_path |= c == '/';
    StringView prefix = is_path ? "" : "bin/";
    if (prefix.length() + command.length() > storage.size()) return {StringView(), !is_path};
    mem_copy(storage.data(), prefix.data(), prefix.length());
    mem_copy(storage.data() + prefix.length(), command.data(), command.length());
    return {StringView(storage.data(), prefix.length() + command.length()), !is_path};
}

Result<u32> JobTable::add(abi::Handle handle, StringView name) {
    // The lowest free job number; the slot index is number - 1.
    for (usize i = 0; i < kMaxJobs; ++i) {
        Job& job = m_jobs[i];
        if (job.id != 0) continue;
        job.id = u32(i + 1);
        job.handle = handle;
        usize n = min(name.length(), kNameMax - 1);
        mem_copy(job.name, name.data(), n);
        job.name[n] = '\0';
        return job.id;
    }
    return Error::Busy;
}

const JobTable::Job* JobTable::find(u32 id) const {
    if (id == 0 || id > kMaxJobs || m_jobs[id - 1].id == 0) return nullptr;
    return &m_jobs[id - 1];
}

const JobTable::Job* JobTable::find_handle(abi::Handle handle) const {
    for (const Job& job : m_jobs)
        if (job.id != 0 && job.handle == handle) return &job;
    return nullptr;
}

void JobTable::remove(u32 id) {
    if (id == 0 || id > kMaxJobs) return;
    m_jobs[id - 1] = Job {};
}

usize JobTable::count() const {
    usize n = 0;
    for (const Job& job : m_jobs) n += job.id != 0;
    return n;
}

}  // namespace mote::user
