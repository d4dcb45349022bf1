package token

import "container/list"

// lru indexes values by key in the order they were last used, so that the
// least recently used is found in O(1): what MemoryStore and the Cache's
// bookkeeping evict when they are full. Its owner locks it and
// decides what goes; each value knows its own key.
type lru struct {
	items map[string]*list.Element
	order list.List // front: most recently used
}

// find returns key's element, or nil; it does not count as a use.
func (c *lru) find(key string) *list.Element { return c.items[key] }

// use marks e as just used.
func (c *lru) use(e *list.Element) {
	if c.order.Front() != e {
		c.order.MoveToFront(e)
	}
}

// add inserts v under key, which must be absent, as just used.
func (c *lru) add(key string, v any) *list.Element {
	if c.items == nil {
		c.items = make(map[string]*list.Element)
	}
	e := c.order.PushFront(v)
	c.items[key] = e
	return e
}

// remove deletes key, whose element is e.
func (c *lru) remove(key string, e *list.Element) {
	delete(c.items, key)
	c.order.Remove(e)
}

// oldest returns the least recently used element, or nil.
func (c *lru) oldest() *list.Element { return c.order.Back() }

func (c *lru) len() int { return len(c.items) }
