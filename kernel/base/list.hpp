// Intrusive doubly linked list.
//
// The node lives inside the element, so putting an element on a list never
// allocates and removal is O(1). An element may sit on several lists at once
// through several nodes. A node knows whether it is linked, which lets VERIFY
// catch double insertion and removal of an unlinked node.
//
//     struct Job { ListNode node; ... };
//     IntrusiveList<Job, &Job::node> queue;
#pragma once

#include "base/types.hpp"
#include "base/verify.hpp"

namespace mote {

struct ListNode {
    ListNode* prev = nullptr;
    ListNode* next = nullptr;

    bool is_linked() const { return next != nullptr; }
};

template <typename T, ListNode T::*Field>
class IntrusiveList {
public:
    IntrusiveList() { m_head.prev = m_head.next = &m_head; }
    IntrusiveList(const IntrusiveList&) = delete;
    IntrusiveList& operator=(const IntrusiveList&) = delete;
    ~IntrusiveList() { VERIFY_MSG(empty(), "list destroyed while elements are linked"); }

    bool empty() const { return m_head.next == &m_head; }
    usize size() const { return m_size; }

    void push_back(T& item) { insert_before(m_head, node_of(item)); }
    void push_front(T& item) { insert_before(*m_head.next, node_of(item)); }
    // Insert `item` before `position`, which must be linked on this list.
    void insert_before(T& position, T& item) { insert_before(node_of(position), node_of(item)); }

    T* front() const { return empty() ? nullptr : owner_of(m_head.next); }
    T* back() const { return empty() ? nullptr : owner_of(m_head.prev); }

    T* pop_front() {
        T* item = front();
        if (item) remove(*item);
        return item;
    }

    void remove(T& item) {
        ListNode& n = node_of(item);
        VERIFY_MSG(n.is_linked(), "removing an unlinked node");
        n.prev->next = n.next;
        n.next->prev = n.prev;
        n.prev = n.next = nullptr;
        --m_size;
    }

    bool contains(const T& item) const {
        for (ListNode* n = m_head.next; n != &m_head; n = n->next)
            if (n == &(const_cast<T&>(item).*Field)) return true;
        return false;
    }

    // Next element after `item`, or nullptr at the end.
    T* next(T& item) const {
        ListNode* n = node_of(item).next;
        return n == &m_head ? nullptr : owner_of(n);
    }

    class Iterator {
    public:
        Iterator(ListNode* node, const ListNode* head) : m_node(node), m_head(head) {}
        T& operator*() const { return *owner_of(m_node); }
        T* operator->() const { return owner_of(m_node); }
        // Reads `next` before the caller's loop body runs, so the current
        // element may be removed while iterating.
        Iterator& operator++() {
            m_node = m_next;
            m_next = m_node->next;
            return *this;
        }
        bool operator!=(const Iterator& other) const { return m_node != other.m_node; }
        void prime() { m_next = m_node == m_head ? nullptr : m_node->next; }

    private:
        ListNode* m_node;
        ListNode* m_next = nullptr;
        const ListNode* m_head;
    };

    Iterator begin() {
        Iterator it(m_head.next, &m_head);
        it.prime();
        return it;
    }
    Iterator end() { return Iterator(&m_head, &m_head); }

private:
    static ListNode& node_of(T& item) { return item.*Field; }
    static T* owner_of(ListNode* node) { return container_of<T, ListNode>(node, Field); }

    void insert_before(ListNode& position, ListNode& n) {
        VERIFY_MSG(!n.is_linked(), "inserting a node that is already linked");
        n.next = &position;
        n.prev = position.prev;
        position.prev->next = &n;
        position.prev = &n;
        ++m_size;
    }

    ListNode m_head;
    usize m_size = 0;
};

}  // namespace mote
