"""Reading the kernel's data structures from a stopped machine.

Everything is found by symbol and laid out by the DWARF types in the kernel
ELF: field offsets, list node members and enum names come from the debug
info, never from numbers written here, so a member moved or added in the
C++ changes nothing in these scripts. Walks are bounded (a list corrupted
or half-written when the machine stopped ends a listing, not gdb).
"""
import re

import gdb

# No list, heap or table in the kernel is longer than this; a walk that
# gets there is following a corrupted pointer.
WALK_LIMIT = 4096

# The globals the commands start from. Both are in anonymous namespaces,
# which is how gdb spells them.
USER_MODE = "'mote::(anonymous namespace)::g_user_mode'"  # platform/bare_metal/user_mode.cpp
CLOCK_LOOP = "'mote::(anonymous namespace)::g_clock_loop'"  # boot/kernel.cpp: the kernel's Loop


def global_pointer(expression, what):
    """The object a global pointer names, or a gdb error saying why not."""
    try:
        pointer = gdb.parse_and_eval(expression)
    except gdb.error as e:
        raise gdb.GdbError(f"mote: {what}: {e} (is the kernel ELF loaded?)")
    if int(pointer) == 0:
        raise gdb.GdbError(f"mote: {what} does not exist yet (the kernel has not set it up)")
    return pointer.dereference()


def user_mode():
    """The BareMetalUserMode: the process table and the thread on the CPU."""
    return global_pointer(USER_MODE, "user space")


def loop():
    return global_pointer(CLOCK_LOOP, "the event loop")


def field_offset(struct_type, name):
    """Byte offset of member `name` in `struct_type`, from DWARF (bases searched too)."""
    struct_type = struct_type.strip_typedefs()
    for field in struct_type.fields():
        if field.name == name:
            return field.bitpos // 8
        if field.is_base_class:
            try:
                return field.bitpos // 8 + field_offset(field.type, name)
            except KeyError:
                pass
    raise KeyError(f"{struct_type} has no member {name}")


def container_of(address, struct_type, member):
    """The `struct_type` object whose `member` is at `address`."""
    start = int(address) - field_offset(struct_type, member)
    return gdb.Value(start).cast(struct_type.pointer()).dereference()


_LIST_MEMBER = re.compile(r"&([\w:]+)::(\w+)\s*>$")


def list_items(intrusive_list):
    """The elements of an IntrusiveList<T, &T::node>, front to back. T comes
    from the template argument, the node member from the type's name (gdb
    cannot evaluate a pointer-to-member template argument)."""
    list_type = intrusive_list.type.strip_typedefs()
    element = list_type.template_argument(0)
    match = _LIST_MEMBER.search(list_type.name or "")
    if not match:
        raise gdb.GdbError(f"mote: cannot tell the node member of {list_type.name}")
    member = match.group(2)
    head = intrusive_list["m_head"]
    head_address = int(head.address)
    node = head["next"]
    items = []
    while int(node) != head_address and int(node) != 0 and len(items) < WALK_LIMIT:
        items.append(container_of(node, element, member))
        node = node["next"]
    return items


def text(value):
    """A FixedString, StringView or C string as Python text."""
    kind = value.type.strip_typedefs()
    name = kind.name or ""
    if name.startswith("mote::FixedString"):
        length = int(value["m_buffer"]["m_length"])
        return value["m_storage"].address.cast(gdb.lookup_type("char").pointer()).string(length=length)
    if name == "mote::StringView":
        length = int(value["m_length"])
        return value["m_data"].string(length=length) if length else ""
    if int(value) == 0:
        return ""
    return value.string()


def enum_name(value):
    """`mote::ThreadState::Parked` -> `Parked`."""
    return str(value).rsplit("::", 1)[-1]


def symbol_at(address):
    """"function+0xoffset" for a code (or vtable) address, else hex."""
    address = int(address)
    if address == 0:
        return "-"
    out = gdb.execute(f"info symbol {address:#x}", to_string=True).strip()
    if out.startswith("No symbol"):
        return f"{address:#x}"
    out = out.split(" in section ")[0]
    return out.replace(" + ", "+")


def dynamic_class(pointer):
    """The class of the object `pointer` names, from its vtable symbol
    (the kernel has no RTTI, but its vtables are named)."""
    if int(pointer) == 0:
        return "-"
    word = gdb.lookup_type("unsigned long").pointer()
    vtable = int(pointer.cast(word).dereference())
    name = symbol_at(vtable)
    return name.split("+")[0].replace("vtable for ", "")


def enumerator(name):
    """The value of enumerator `name` from the debug info; None if absent."""
    try:
        return int(gdb.parse_and_eval(name))
    except gdb.error:
        return None
